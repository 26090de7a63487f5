package ingest

import (
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
)

const (
	testStream = "cam1"
	videoPT    = 96
	audioPT    = 111
	// waitLimit bounds every wait for something that must happen.
	waitLimit = 5 * time.Second
)

// newTestStream returns a stream with an H.264 video and an Opus audio track.
func newTestStream(bus *event.Bus) *stream.Stream {
	v := stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/H264", ClockRate: 90000, PayloadType: videoPT})
	a := stream.NewTrack(stream.Audio, stream.Codec{MimeType: "audio/opus", ClockRate: 48000, Channels: 2, PayloadType: audioPT})
	return stream.New(testStream, v, a, bus)
}

// harness is one started Source on loopback with a subscriber on each
// track and a subscription to the event bus.
type harness struct {
	t      testing.TB
	src    *Source
	st     *stream.Stream
	m      *Metrics
	events <-chan event.Event
	video  *stream.Subscription
	audio  *stream.Subscription
}

func newHarness(t *testing.T, cfg SourceConfig) *harness {
	t.Helper()
	h := newIdleHarness(t, cfg)
	h.src.Start()
	return h
}

// newIdleHarness is newHarness with the source bound but not started: what
// is sent waits in the socket until Start.
func newIdleHarness(t testing.TB, cfg SourceConfig) *harness {
	t.Helper()
	cfg.Name = testStream
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	bus := event.New(nil)
	events, unsubscribe := bus.Subscribe(1024)
	st := newTestStream(bus)
	m := NewMetrics(prometheus.NewRegistry())
	src, err := NewSource(cfg, st, slog.New(slog.DiscardHandler), m)
	if err != nil {
		t.Fatalf("NewSource: %v", err)
	}
	h := &harness{t: t, src: src, st: st, m: m, events: events,
		video: st.Video.Subscribe(1024), audio: st.Audio.Subscribe(1024)}
	t.Cleanup(func() {
		if err := src.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		h.video.Close()
		h.audio.Close()
		unsubscribe()
	})
	return h
}

// addr is where senders send RTP.
func (h *harness) addr() netip.AddrPort {
	return h.src.LocalAddr().(*net.UDPAddr).AddrPort()
}

// rtcpAddr is where senders send RTCP when it has its own port.
func (h *harness) rtcpAddr() netip.AddrPort {
	return h.src.rtcpConn.LocalAddr().(*net.UDPAddr).AddrPort()
}

func (h *harness) dropped(reason string) float64 {
	return value(h.m.dropped.WithLabelValues(testStream, reason))
}

func (h *harness) counter(c *prometheus.CounterVec, labels ...string) float64 {
	return value(c.WithLabelValues(append([]string{testStream}, labels...)...))
}

// value reads a counter or gauge.
func value(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		panic(err)
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

// next returns the next packet of sub, failing the test after waitLimit.
func (h *harness) next(sub *stream.Subscription) *stream.Packet {
	h.t.Helper()
	select {
	case p := <-sub.Packets():
		return p
	case <-time.After(waitLimit):
		h.t.Fatal("no packet delivered")
		return nil
	}
}

// nextVideo returns the next video packet.
func (h *harness) nextVideo() *stream.Packet {
	h.t.Helper()
	return h.next(h.video)
}

// noVideo fails if a video packet is queued now. Callers first await a
// later packet, so everything sent before has been processed.
func (h *harness) noVideo() {
	h.t.Helper()
	select {
	case p := <-h.video.Packets():
		h.t.Fatalf("unexpected packet seq %d", p.SequenceNumber)
	default:
	}
}

// event returns the next event of type typ, skipping others.
func (h *harness) event(typ event.Type) event.Event {
	h.t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case e := <-h.events:
			if e.Type == typ {
				return e
			}
		case <-deadline:
			h.t.Fatalf("no %s event", typ)
			return event.Event{}
		}
	}
}

// eventFrom returns the next event of type typ whose remote is from.
func (h *harness) eventFrom(typ event.Type, from netip.AddrPort) event.Event {
	h.t.Helper()
	for {
		if e := h.event(typ); e.Data["remote"] == from.String() {
			return e
		}
	}
}

// eventually polls cond until it holds, failing after waitLimit. It is
// for state that no event announces; each poll also runs step, which
// typically sends the packet that should bring the state about.
func eventually(t *testing.T, step func(), cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		step()
		time.Sleep(5 * time.Millisecond)
	}
}
