package testsrc

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/transcoder"
)

// Defaults of Config's zero fields: 720p30 at 1.5 Mbit/s.
const (
	DefaultWidth   = 1280
	DefaultHeight  = 720
	DefaultFPS     = 30
	DefaultBitrate = 1_500_000
	audioFrame     = 20 * time.Millisecond
)

// Config sets up a Source.
type Config struct {
	// Stream receives the packets: its Video track (H.264 or VP8) and its
	// Audio track (Opus), whichever it has.
	Stream *stream.Stream
	// Codecs opens the encoders.
	Codecs transcoder.Codecs
	// Width, Height and FPS size the picture; 0 means the defaults.
	Width, Height, FPS int
	// Bitrate is the video encoder's target in bits per second;
	// AudioBitrate the Opus encoder's. 0 means the defaults.
	Bitrate, AudioBitrate int
	// Metrics counts the encoders (from "raw"); nil counts nothing.
	Metrics *transcoder.Metrics
	// Log receives the source's logs; nil discards.
	Log *slog.Logger
}

// Source generates a stream's media until Close or the stream's removal.
type Source struct {
	cfg   Config
	st    *stream.Stream
	start time.Time
	video *transcoder.Pipeline
	audio *transcoder.Pipeline

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// Start opens the encoders and starts generating. Errors wrap
// transcoder.ErrUnavailable when the binary has no codecs.
func Start(cfg Config) (*Source, error) {
	cfg = withDefaults(cfg)
	s := &Source{cfg: cfg, st: cfg.Stream, start: time.Now(), stop: make(chan struct{})}
	var err error
	if t := s.st.Video; t != nil {
		if s.video, err = s.pipeline(t, transcoder.RawVideo, cfg.Bitrate); err != nil {
			return nil, err
		}
	}
	if t := s.st.Audio; t != nil {
		if s.audio, err = s.pipeline(t, transcoder.RawAudio, cfg.AudioBitrate); err != nil {
			s.closePipelines()
			return nil, err
		}
	}
	if s.video != nil {
		s.st.SetKeyframeRequester(stream.KeyframeRequesterFunc(s.video.RequestKeyframe))
		s.wg.Go(s.runVideo)
	}
	if s.audio != nil {
		s.wg.Go(s.runAudio)
	}
	s.st.SetUp(true, map[string]string{"source": "testpattern"})
	cfg.Log.Info("test pattern started", "width", cfg.Width, "height", cfg.Height, "fps", cfg.FPS)
	return s, nil
}

func withDefaults(c Config) Config {
	if c.Width <= 0 || c.Height <= 0 {
		c.Width, c.Height = DefaultWidth, DefaultHeight
	}
	if c.FPS <= 0 {
		c.FPS = DefaultFPS
	}
	if c.Bitrate <= 0 {
		c.Bitrate = DefaultBitrate
	}
	if c.AudioBitrate <= 0 {
		c.AudioBitrate = transcoder.DefaultAudioBitrate
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// pipeline opens the encoder of one track; its packets go to t.
func (s *Source) pipeline(t *stream.Track, from string, bps int) (*transcoder.Pipeline, error) {
	p, err := transcoder.New(transcoder.Config{
		From: from, To: t.Codec.MimeType, Codecs: s.cfg.Codecs,
		PayloadType: t.Codec.PayloadType, SSRC: rand.Uint32() | 1, Bitrate: bps,
		Channels: toneChannels(t),
		Output: func(h rtp.Header, payload []byte, keyframe bool) {
			t.Write(&stream.Packet{Header: h, Payload: payload, Arrival: time.Now(), Keyframe: keyframe})
		},
		Stream: s.st.Name, Metrics: s.cfg.Metrics, Log: s.cfg.Log,
	})
	if err != nil {
		return nil, fmt.Errorf("test pattern %s: %w", t.Kind, err)
	}
	return p, nil
}

// toneChannels is the tone's channel count for an audio track: 1 or 2.
func toneChannels(t *stream.Track) int { return int(max(1, min(2, t.Codec.Channels))) }

// Close stops generating, releases the encoders and marks the stream down.
// It is idempotent.
func (s *Source) Close() {
	s.stopOnce.Do(func() {
		close(s.stop)
		s.wg.Wait()
		s.closePipelines()
		s.st.SetUp(false, map[string]string{"source": "testpattern"})
	})
}

func (s *Source) closePipelines() {
	for _, p := range []*transcoder.Pipeline{s.video, s.audio} {
		if p != nil {
			_ = p.Close()
		}
	}
}

// Done is closed once the source has stopped, by Close or because its
// stream was removed.
func (s *Source) Done() <-chan struct{} { return s.stop }
