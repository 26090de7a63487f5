package ingest

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/event"
)

// recorder stands in for a socket in tests without one: it keeps what the
// source sends.
type recorder struct {
	mu   sync.Mutex
	pkts []rtcp.Packet
	to   []netip.AddrPort
}

func (r *recorder) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pkts = append(r.pkts, pkts...)
	r.to = append(r.to, addr)
	return len(b), nil
}

// count returns how many sent packets satisfy match.
func (r *recorder) count(match func(rtcp.Packet) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.pkts {
		if match(p) {
			n++
		}
	}
	return n
}

func isRR(p rtcp.Packet) bool { _, ok := p.(*rtcp.ReceiverReport); return ok }

var camera = netip.MustParseAddrPort("127.0.0.1:5000")

// socketless returns a source without sockets whose RTCP goes to a recorder.
func socketless(t *testing.T, cfg SourceConfig, bus *event.Bus) (*Source, *recorder) {
	t.Helper()
	cfg.Name = testStream
	s, err := newSource(cfg, newTestStream(bus), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s.rtpOut, s.rtcpOut = rec, rec
	return s, rec
}

// feed hands the source two video packets from camera: latched and up.
func feed(s *Source, firstSeq uint16) {
	s.handle(rtpBytes(0x80, videoPT, firstSeq, 0x65, 1), camera, false, time.Now())
	s.handle(rtpBytes(0x80, videoPT, firstSeq+1, 0x41, 1), camera, false, time.Now())
}

func TestReportsAndTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := event.New(nil)
		events, stop := bus.Subscribe(64)
		defer stop()
		s, rec := socketless(t, SourceConfig{SourceTimeout: 2 * time.Second,
			ReceiverReportInterval: 500 * time.Millisecond}, bus)
		s.Start()
		defer s.Close()
		feed(s, 1)
		time.Sleep(1100 * time.Millisecond)
		synctest.Wait()
		if n := rec.count(isRR); n != 2 {
			t.Fatalf("%d RRs after 1.1 s at 0.5 s intervals, want 2", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := rec.count(isRR); n != 3 {
			t.Errorf("%d RRs before the timeout, want 3", n)
		}
		var types []event.Type
		for len(events) > 0 {
			types = append(types, (<-events).Type)
		}
		want := []event.Type{event.SourceLatched, event.StreamUp, event.StreamDown}
		if len(types) != len(want) || types[0] != want[0] || types[1] != want[1] || types[2] != want[2] {
			t.Errorf("events %v, want %v", types, want)
		}
		if s.Latched().IsValid() || value(s.met.latched) != 0 {
			t.Error("still latched after the timeout")
		}
	})
}

func TestKeyframeThrottle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := socketless(t, SourceConfig{KeyframeInterval: time.Second}, nil)
		feed(s, 1)
		for range 5 {
			s.RequestKeyframe()
		}
		if n := rec.count(isPLI); n != 1 {
			t.Fatalf("%d PLIs, want 1", n)
		}
		time.Sleep(999 * time.Millisecond)
		s.RequestKeyframe()
		if n := rec.count(isPLI); n != 1 {
			t.Fatalf("%d PLIs before the interval passed, want 1", n)
		}
		time.Sleep(time.Millisecond)
		s.RequestKeyframe()
		if n := rec.count(isPLI); n != 2 {
			t.Fatalf("%d PLIs after the interval, want 2", n)
		}
		if rec.to[0] != camera {
			t.Errorf("PLI sent to %v, want %v", rec.to[0], camera)
		}
	})
}

// countingHandler counts log records.
type countingHandler struct {
	mu sync.Mutex
	n  int
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(context.Context, slog.Record) error {
	h.mu.Lock()
	h.n++
	h.mu.Unlock()
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func TestDropsLoggedOncePerSecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &countingHandler{}
		s, err := newSource(SourceConfig{Name: testStream}, newTestStream(nil), slog.New(logs), nil)
		if err != nil {
			t.Fatal(err)
		}
		for range 100 {
			s.drop(dropMalformed, camera, time.Now())
			s.drop(dropOversize, camera, time.Now())
		}
		if logs.n != 2 {
			t.Fatalf("%d log lines for 200 drops of two reasons, want 2", logs.n)
		}
		time.Sleep(time.Second)
		s.drop(dropMalformed, camera, time.Now())
		if logs.n != 3 {
			t.Fatalf("%d log lines a second later, want 3", logs.n)
		}
		if got := value(s.met.dropped[dropMalformed]); got != 101 {
			t.Errorf("dropped{malformed} = %v", got)
		}
	})
}
