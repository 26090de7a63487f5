package rendition

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
	"mediagate.dev/mediagate/transcoder"
)

// transcoded is one running transcoder: a pipeline fed by a subscription
// to the source track, writing the rendition's track, owned by one
// goroutine.
type transcoded struct {
	key  renditionKey
	m    *Manager
	r    *stream.Rendition
	pipe *transcoder.Pipeline
	ssrc uint32
	log  *slog.Logger

	refs  int         // viewers holding it; guarded by m.mu
	grace *time.Timer // running after the last release; guarded by m.mu

	stopCh    chan string // the reason to stop
	done      chan struct{}
	lastClock *stream.SenderClock // the source's clock last mapped
}

// renditionCodec is what a rendition's track carries, as egress matches it
// against a viewer's offer.
func renditionCodec(mime string) stream.Codec {
	f, ok := codec.FormatOf(mime)
	if !ok {
		f = codec.VP8Format
	}
	return stream.Codec{MimeType: f.MimeType, ClockRate: f.ClockRate, Channels: f.Channels,
		PayloadType: f.PayloadType, Fmtp: f.Fmtp}
}

// start opens the pipeline of a new rendition, registers it with its stream
// and starts its goroutine. m.mu is held.
func (m *Manager) start(key renditionKey, mime, reason string) (*transcoded, error) {
	st, src := key.st, key.src
	sc := m.settings(st.Name).Transcode
	out := stream.NewTrack(src.Kind, renditionCodec(mime))
	rd := &transcoded{
		key: key, m: m, ssrc: rand.Uint32() | 1,
		log:    m.log.With("stream", st.Name, "from", src.Codec.MimeType, "to", out.Codec.MimeType),
		stopCh: make(chan string, 1), done: make(chan struct{}),
	}
	cfg := transcoder.Config{
		From: src.Codec.MimeType, To: out.Codec.MimeType, Codecs: m.codecs,
		Fmtp: src.Codec.Fmtp, ClockRate: int(src.Codec.ClockRate), Channels: int(src.Codec.Channels),
		PayloadType: out.Codec.PayloadType, SSRC: rd.ssrc,
		Output: func(h rtp.Header, payload []byte, keyframe bool) {
			out.Write(&stream.Packet{Header: h, Payload: payload, Arrival: time.Now(), Keyframe: keyframe})
		},
		Bitrate: sc.Bitrate * 1000, MinBitrate: sc.MinBitrate * 1000, MaxBitrate: sc.MaxBitrate * 1000,
		RequestKeyframe: st.RequestKeyframe,
		Stream:          st.Name, Metrics: m.metrics, Log: rd.log,
	}
	if src.Kind == stream.Audio {
		cfg.Bitrate, cfg.MinBitrate, cfg.MaxBitrate = sc.AudioBitrate*1000, 0, 0
	}
	// Subscribed before the parameter sets are read, a camera that sends
	// them in band only with its first IDR (x265 with open GOPs) cannot
	// slip them between the two: what the memory missed, the feed carries.
	sub := src.Subscribe(m.depth)
	cfg.ParameterSets = codec.FmtpParameterSets(src.Codec.MimeType, src.Codec.Fmtp)
	if cfg.ParameterSets == nil {
		cfg.ParameterSets = src.ParameterSets()
	}
	pipe, err := transcoder.New(cfg)
	if err != nil {
		sub.Close()
		return nil, fmt.Errorf("transcode %s to %s: %w", src.Codec.MimeType, mime, err)
	}
	rd.pipe = pipe
	rd.r = stream.NewRendition(src, out, reason, pipe)
	if err := st.AddRendition(rd.r); err != nil {
		sub.Close()
		_ = pipe.Close()
		return nil, err
	}
	go rd.run(sub)
	st.Publish(event.Event{Type: event.TranscodingActive, Data: rd.eventData(reason)})
	rd.log.Info("transcoding started", "reason", reason, "bitrate", pipe.Bitrate())
	return rd, nil
}

func (rd *transcoded) eventData(reason string) map[string]string {
	return map[string]string{"from": rd.key.src.Codec.MimeType, "to": rd.r.Track.Codec.MimeType, "reason": reason}
}

// run feeds the pipeline from the source until it is told to stop or its
// stream is removed, then releases everything.
func (rd *transcoded) run(sub *stream.Subscription) {
	defer close(rd.done)
	defer sub.Close()
	rd.key.st.RequestKeyframeForJoin() // its first viewer waits for it
	for {
		select {
		case p := <-sub.Packets():
			rd.write(p)
		case reason := <-rd.stopCh:
			rd.finish(reason, sub)
			return
		case <-rd.key.st.Closed():
			rd.m.forget(rd)
			rd.finish("stream removed", sub)
			return
		}
	}
}

// write transcodes one source packet and carries the source's clock over
// to the rendition, so its viewers' Sender Reports keep lip sync.
func (rd *transcoded) write(p *stream.Packet) {
	rd.pipe.Write(&p.Header, p.Payload)
	c := rd.key.src.SenderClock()
	if c == nil || c == rd.lastClock {
		return
	}
	rd.lastClock = c
	rd.r.Track.SetSenderClock(stream.SenderClock{
		SSRC: rd.ssrc, NTPTime: c.NTPTime, RTPTime: rd.pipe.MapTimestamp(c.RTPTime), Received: c.Received,
	})
}

// finish closes the pipeline, unregisters the rendition and announces it.
func (rd *transcoded) finish(reason string, sub *stream.Subscription) {
	st := rd.pipe.Stats()
	_ = rd.pipe.Close()
	rd.key.st.RemoveRendition(rd.r)
	rd.key.st.Publish(event.Event{Type: event.TranscodingInactive, Data: rd.eventData(reason)})
	rd.log.Info("transcoding stopped", "reason", reason, "frames_in", st.FramesIn, "frames_out", st.FramesOut,
		"dropped", st.Dropped, "queue_dropped", sub.Dropped())
}

// stop asks the rendition's goroutine to stop and waits until it has.
func (rd *transcoded) stop(reason string) {
	select {
	case rd.stopCh <- reason:
	default:
	}
	<-rd.done
}
