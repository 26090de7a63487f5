package rendition

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
	"mediagate.dev/mediagate/transcoder"
)

// A bridge starts the viewers who join a stream between its keyframes: a
// decoder that decodes the source's GOP memory up to now, faster than real
// time, and keeps decoding the live packets, and an encoder in the
// source's codec that makes a key frame of the current picture for each
// joiner and encodes the live pictures until the joiner switches to the
// source at its next keyframe (egress does the switch). One bridge runs
// per source track, shared by its joiners; with no one on it, it only
// decodes (transcoder.Pipeline.Prime), and it stops after the stream's
// start.grace_period.

// Errors of Bridge: the joiner waits for the source's keyframe instead.
var (
	// ErrNoBridge: the stream waits by config, its codec cannot be bridged,
	// the binary has no codecs, or no GOP is remembered.
	ErrNoBridge = errors.New("no bridge for this stream")
	// ErrBridgeBusy: webrtc.max_bridges or the stream's start.max_bridged
	// is reached.
	ErrBridgeBusy = errors.New("bridges at their bound")
)

// bridgeKeyframeGap is the least media time between two key frames the
// bridge makes for joiners (transcoder.Config.KeyframeGap).
const bridgeKeyframeGap = 100 * time.Millisecond

// bridgeState is what a bridge's encoder does.
type bridgeState int

const (
	bridgePriming  bridgeState = iota // decoding the GOP memory
	bridgeEncoding                    // joiners on it: encoding every picture
	bridgeIdle                        // no one on it: decoding only
)

// bridge is one running bridge. Its goroutine feeds the pipeline; refs,
// state and grace are guarded by the Manager's mutex, which is taken
// before the pipeline's.
type bridge struct {
	m    *Manager
	st   *stream.Stream
	src  *stream.Track
	out  *stream.Track
	pipe *transcoder.Pipeline
	log  *slog.Logger

	refs  int
	state bridgeState
	grace *time.Timer

	stopCh chan string
	done   chan struct{}
}

// Bridgeable reports whether a source codec can be bridged: mediagate
// encodes H.264 and VP8, and bridges H.265 in H.264 (BridgeCodec).
func Bridgeable(mime string) bool { return BridgeCodec(mime) != "" }

// BridgeCodec is the codec a source's bridge encodes: the source's own for
// H.264 and VP8, H.264 for H.265 (which mediagate decodes but does not
// encode; egress sends it under an H.264 payload type the viewer
// negotiated beside H.265); "" for the rest.
func BridgeCodec(mime string) string {
	switch {
	case strings.EqualFold(mime, transcoder.H264), strings.EqualFold(mime, transcoder.H265):
		return transcoder.H264
	case strings.EqualFold(mime, transcoder.VP8):
		return transcoder.VP8
	}
	return ""
}

// Bridge starts a viewer of src, a video track of st, on the bridge: it
// returns a subscription (of depth packets) to the bridge's output, whose
// first key frame is the current picture, and the function that gives the
// viewer's place back (called once, when it switched to the source or
// left). The errors are ErrNoBridge, ErrBridgeBusy and, after Close,
// transcoder.ErrClosed; with any of them the viewer waits for a keyframe.
func (m *Manager) Bridge(st *stream.Stream, src *stream.Track, depth int) (*stream.Subscription, func(), error) {
	sc := m.settings(st.Name)
	if !m.codecs.Available || sc.Start.Mode != config.StartBridge || !Bridgeable(src.Codec.MimeType) {
		return nil, nil, ErrNoBridge
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, nil, transcoder.ErrClosed
	}
	b := m.bridges[src]
	switch {
	case b == nil && len(m.bridges) >= m.maxBridges:
		m.bm.refused.WithLabelValues("max_bridges").Inc()
		return nil, nil, fmt.Errorf("%w: webrtc.max_bridges = %d", ErrBridgeBusy, m.maxBridges)
	case b != nil && b.refs >= sc.Start.MaxBridged:
		m.bm.refused.WithLabelValues("max_bridged").Inc()
		return nil, nil, fmt.Errorf("%w: start.max_bridged = %d", ErrBridgeBusy, sc.Start.MaxBridged)
	}
	var sub *stream.Subscription
	if b == nil {
		var err error
		if b, err = m.launch(st, src, sc, depth); err != nil {
			return nil, nil, err
		}
		// The first key frame comes out of primed, which waits for m.mu.
		sub = b.out.Subscribe(depth)
	} else {
		sub = b.out.Subscribe(depth)
		b.join()
	}
	b.refs++
	m.bm.viewers.Inc()
	if b.grace != nil {
		b.grace.Stop()
		b.grace = nil
	}
	released := false
	return sub, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if !released {
			released = true
			m.leaveBridge(b, sc.Start.GracePeriod.D())
		}
	}, nil
}

// warmHold is the least time a bridge warmed for a connecting viewer waits
// for it to join (its grace period, if longer, applies).
const warmHold = 5 * time.Second

// Warm starts src's bridge for a viewer who is still connecting, so that
// its join finds the GOP decoded: the decoding takes a few ms a picture,
// which ICE and DTLS hide. It does nothing when a bridge runs, none may
// start, or no GOP is remembered; a warm bridge no one joins stops after
// the stream's grace period, at least warmHold.
func (m *Manager) Warm(st *stream.Stream, src *stream.Track) {
	sc := m.settings(st.Name)
	if !m.codecs.Available || sc.Start.Mode != config.StartBridge || !Bridgeable(src.Codec.MimeType) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.bridges[src] != nil || len(m.bridges) >= m.maxBridges {
		return
	}
	b, err := m.launch(st, src, sc, m.depth)
	if err != nil {
		return
	}
	b.grace = time.AfterFunc(max(sc.Start.GracePeriod.D(), warmHold), func() { m.expireBridge(b) })
}

// launch starts src's bridge and registers it: it subscribes to src before
// it takes the GOP, so that no packet falls between the two, and the
// bridge's goroutine primes the pipeline with the GOP; the source's
// packets wait meanwhile in a queue of depth. m.mu is held.
func (m *Manager) launch(st *stream.Stream, src *stream.Track, sc config.Stream, depth int) (*bridge, error) {
	feed := src.Subscribe(depth)
	gop := src.GOP()
	if len(gop.Packets) == 0 {
		feed.Close()
		return nil, fmt.Errorf("%w: no GOP remembered", ErrNoBridge)
	}
	b, err := m.startBridge(st, src, sc)
	if err != nil {
		feed.Close()
		return nil, err
	}
	m.bridges[src] = b
	go b.run(gop, feed)
	return b, nil
}

// startBridge opens a bridge's pipeline; its goroutine is not running yet.
// m.mu is held.
func (m *Manager) startBridge(st *stream.Stream, src *stream.Track, sc config.Stream) (*bridge, error) {
	out := stream.NewTrack(stream.Video, renditionCodec(BridgeCodec(src.Codec.MimeType)))
	b := &bridge{
		m: m, st: st, src: src, out: out,
		log:    m.log.With("stream", st.Name, "codec", src.Codec.MimeType),
		stopCh: make(chan string, 1), done: make(chan struct{}),
	}
	cfg := transcoder.Config{
		From: src.Codec.MimeType, To: out.Codec.MimeType, Codecs: m.codecs,
		Fmtp: src.Codec.Fmtp, ClockRate: int(src.Codec.ClockRate), PayloadType: out.Codec.PayloadType,
		Output: func(h rtp.Header, payload []byte, keyframe bool) {
			out.Write(&stream.Packet{Header: h, Payload: payload, Arrival: time.Now(), Keyframe: keyframe})
		},
		Bitrate: sc.Transcode.Bitrate * 1000, KeyframeGap: bridgeKeyframeGap,
		OnEncode:        func(d time.Duration) { m.bm.encode.Observe(d.Seconds()) },
		RequestKeyframe: st.RequestKeyframe,
		Stream:          st.Name, Log: b.log,
	}
	cfg.ParameterSets = codec.FmtpParameterSets(src.Codec.MimeType, src.Codec.Fmtp)
	if cfg.ParameterSets == nil {
		cfg.ParameterSets = src.ParameterSets()
	}
	pipe, err := transcoder.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("bridge %s: %w", src.Codec.MimeType, err)
	}
	pipe.Prime(true)
	b.pipe = pipe
	m.bm.running.Inc()
	b.log.Info("bridge started")
	return b, nil
}

// join makes a key frame of the current picture for a new joiner. m.mu is
// held.
func (b *bridge) join() {
	switch b.state {
	case bridgeEncoding:
		b.pipe.RequestKeyframe()
	case bridgeIdle:
		b.state = bridgeEncoding
		b.started(b.pipe.Prime(false))
	}
	// bridgePriming: the end of the priming makes the key frame.
}

// started counts a key frame that did not come out of a priming: the
// bridge had no picture (a damaged GOP, a decoder error), and its joiners
// wait for the source's keyframe. It logs once per stream per minute.
// m.mu is held.
func (b *bridge) started(encoded bool) {
	if encoded {
		return
	}
	b.m.bm.failures.WithLabelValues("no_picture").Inc()
	if now := time.Now(); now.Sub(b.m.gaveUp[b.st.Name]) >= time.Minute {
		b.m.gaveUp[b.st.Name] = now
		b.log.Warn("bridge has no picture to start viewers on; they wait for the source's keyframe")
	}
}

// leaveBridge gives back one viewer's place on b; the last one turns the
// encoder off and starts the grace period. m.mu is held.
func (m *Manager) leaveBridge(b *bridge, grace time.Duration) {
	b.refs--
	m.bm.viewers.Dec()
	if b.refs > 0 || m.closed || m.bridges[b.src] != b {
		return
	}
	if b.state == bridgeEncoding {
		b.state = bridgeIdle
		b.pipe.Prime(true)
	}
	b.grace = time.AfterFunc(grace, func() { m.expireBridge(b) })
}

// expireBridge stops b when no viewer joined it during the grace period.
func (m *Manager) expireBridge(b *bridge) {
	m.mu.Lock()
	if b.refs > 0 || m.bridges[b.src] != b {
		m.mu.Unlock()
		return
	}
	delete(m.bridges, b.src)
	m.mu.Unlock()
	b.stop("no viewers")
}

// run primes the pipeline with the GOP, then feeds it the source's live
// packets from sub, subscribed before the GOP was taken (those the GOP
// already held are skipped) until it is stopped or
// the stream is removed.
func (b *bridge) run(gop stream.GOP, sub *stream.Subscription) {
	defer close(b.done)
	defer sub.Close()
	for _, p := range gop.Packets {
		b.pipe.Write(&p.Header, p.Payload)
	}
	b.primed()
	for {
		select {
		case p := <-sub.Packets():
			if gop.Holds(p) {
				continue // written with the GOP already
			}
			gop = stream.GOP{}
			b.pipe.Write(&p.Header, p.Payload)
		case reason := <-b.stopCh:
			b.finish(reason)
			return
		case <-b.st.Closed():
			b.m.forgetBridge(b)
			b.finish("stream removed")
			return
		}
	}
}

// primed ends the priming: with joiners waiting, the latest picture goes
// out as their key frame; without, the bridge only decodes.
func (b *bridge) primed() {
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	if b.refs == 0 {
		b.state = bridgeIdle
		return
	}
	b.state = bridgeEncoding
	b.started(b.pipe.Prime(false))
}

// finish closes the pipeline.
func (b *bridge) finish(reason string) {
	st := b.pipe.Stats()
	_ = b.pipe.Close()
	b.m.bm.running.Dec()
	b.log.Info("bridge stopped", "reason", reason, "frames_in", st.FramesIn, "frames_out", st.FramesOut,
		"dropped", st.Dropped)
}

// stop asks b's goroutine to stop and waits until it has.
func (b *bridge) stop(reason string) {
	select {
	case b.stopCh <- reason:
	default:
	}
	<-b.done
}

// forgetBridge removes b, which stops by itself (its stream was removed).
func (m *Manager) forgetBridge(b *bridge) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bridges[b.src] == b {
		delete(m.bridges, b.src)
	}
	if b.grace != nil {
		b.grace.Stop()
	}
}
