package bwe

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"mediagate.dev/mediagate/gateway/stream"
)

// fakeViewer is a Viewer whose thinning the test reads back.
type fakeViewer struct {
	id   string
	st   *stream.Stream
	rds  []*stream.Rendition
	done chan struct{}

	mu       sync.Mutex
	keysOnly bool
}

func newFakeViewer(id string, st *stream.Stream, rds ...*stream.Rendition) *fakeViewer {
	return &fakeViewer{id: id, st: st, rds: rds, done: make(chan struct{})}
}

func (v *fakeViewer) ID() string                      { return v.id }
func (v *fakeViewer) Stream() *stream.Stream          { return v.st }
func (v *fakeViewer) Renditions() []*stream.Rendition { return v.rds }
func (v *fakeViewer) Done() <-chan struct{}           { return v.done }
func (v *fakeViewer) SetKeyframesOnly(on bool)        { v.mu.Lock(); v.keysOnly = on; v.mu.Unlock() }
func (v *fakeViewer) thinned() bool                   { v.mu.Lock(); defer v.mu.Unlock(); return v.keysOnly }

// fakeEncoder is a rendition's encoder that keeps its target.
type fakeEncoder struct{ bps int }

func (e *fakeEncoder) RequestKeyframe()       {}
func (e *fakeEncoder) SetBitrate(bps int) int { e.bps = bps; return bps }
func (e *fakeEncoder) Bitrate() int           { return e.bps }

func testBounds(string) (remb, encoder Bounds) {
	return Bounds{Min: 300_000, Max: 5_000_000}, Bounds{Min: 150_000, Max: 4_000_000}
}

// TestRouterPassthrough: the demand is the lower of the passthrough
// viewers' REMB and the receiver's; a viewer below the floor holds it at
// the floor and alone is thinned — even far below the other: the camera
// follows its slowest consumer, FarBelow is for shared encoders; once every
// viewer has left the stream is forgotten.
func TestRouterPassthrough(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rx, rxOK := 0, false
		r := NewRouter(RouterConfig{Bounds: testBounds, ReceiverREMB: func(string) (int, bool) { return rx, rxOK }})
		st := stream.New("cam", stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/VP8"}), nil, nil)
		fast, slow := newFakeViewer("fast", st), newFakeViewer("slow", st)
		if _, ok := r.Demand("cam"); ok {
			t.Fatal("a demand before any REMB")
		}
		r.OnREMB(fast, 2_000_000)
		r.OnREMB(slow, 1_000_000)
		if d, ok := r.Demand("cam"); !ok || d != 1_000_000 {
			t.Fatalf("demand %d %v, want the slower viewer's 1000000", d, ok)
		}
		rx, rxOK = 800_000, true
		if d, _ := r.Demand("cam"); d != 800_000 {
			t.Errorf("demand %d with the receiver at 800000, want 800000", d)
		}
		rx, rxOK = 0, false
		r.OnREMB(slow, 100_000) // below the floor, and far below fast: the camera still follows it, to the floor
		if d, _ := r.ViewerDemand("cam"); d != 300_000 || !slow.thinned() || fast.thinned() {
			t.Errorf("demand %d, slow thinned %v, fast thinned %v; want the floor, slow alone thinned", d, slow.thinned(), fast.thinned())
		}
		close(fast.done)
		close(slow.done)
		synctest.Wait()
		if _, ok := r.ViewerDemand("cam"); ok {
			t.Error("the stream's demand outlived its viewers")
		}
	})
}

// TestRouterTranscoded: a transcoded rendition's aggregate sets its
// encoder's bitrate and the gauge under the codec's label, and leaves the
// passthrough demand alone.
func TestRouterTranscoded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		r := NewRouter(RouterConfig{Bounds: testBounds, Registerer: reg})
		src := stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/VP8"})
		st := stream.New("cam", src, nil, nil)
		enc := &fakeEncoder{bps: 2_000_000}
		rd := stream.NewRendition(src, stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/H264"}), "codec", enc)
		v := newFakeViewer("v", st, rd)
		r.OnREMB(v, 700_000)
		if enc.bps != 700_000 {
			t.Errorf("encoder at %d, want 700000", enc.bps)
		}
		var m dto.Metric
		if err := r.gauge.WithLabelValues("cam", "h264").Write(&m); err != nil || m.Gauge.GetValue() != 700_000 {
			t.Errorf("gauge %v (%v), want 700000", m.Gauge.GetValue(), err)
		}
		if _, ok := r.Demand("cam"); ok {
			t.Error("a transcoded viewer's REMB made a passthrough demand")
		}
		close(v.done)
		synctest.Wait()
	})
}

// fakeConsumer is a WHIP forward as the Router sees it.
type fakeConsumer struct {
	st   *stream.Stream
	done chan struct{}
}

func (c *fakeConsumer) ID() string             { return "forward" }
func (c *fakeConsumer) Stream() *stream.Stream { return c.st }
func (c *fakeConsumer) Done() <-chan struct{}  { return c.done }

// TestRouterConsumer: a forward's REMB joins the viewers' aggregate — the
// lower one wins — and leaves with the forward.
func TestRouterConsumer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRouter(RouterConfig{Bounds: testBounds})
		st := stream.New("cam", stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/VP8"}), nil, nil)
		v, c := newFakeViewer("v", st), &fakeConsumer{st: st, done: make(chan struct{})}
		r.OnREMB(v, 2_000_000)
		r.OnConsumerREMB(c, 700_000)
		if d, _ := r.Demand("cam"); d != 700_000 {
			t.Fatalf("demand %d, want the forward's 700000", d)
		}
		close(c.done)
		synctest.Wait()
		for range 10 { // the aggregate rises smoothly
			time.Sleep(time.Second)
			r.OnREMB(v, 2_000_000)
		}
		if d, _ := r.Demand("cam"); d <= 1_500_000 {
			t.Errorf("demand %d after the forward left, want it near the viewer's 2000000", d)
		}
		close(v.done)
		synctest.Wait()
	})
}

// renditionConsumer is a forward that sends a rendition (its endpoint
// refused the source codec).
type renditionConsumer struct {
	fakeConsumer
	rds []*stream.Rendition
}

func (c *renditionConsumer) Renditions() []*stream.Rendition { return c.rds }

// TestRouterConsumerRendition: the REMB of a forward that sends a
// rendition sets that rendition's encoder, not the camera's demand.
func TestRouterConsumerRendition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRouter(RouterConfig{Bounds: testBounds})
		src := stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/H264"})
		st := stream.New("cam", src, nil, nil)
		enc := &fakeEncoder{bps: 2_000_000}
		rd := stream.NewRendition(src, stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/VP8"}), "refused", enc)
		c := &renditionConsumer{fakeConsumer{st: st, done: make(chan struct{})}, []*stream.Rendition{rd}}
		r.OnConsumerREMB(c, 600_000)
		if enc.bps != 600_000 {
			t.Errorf("encoder at %d, want the forward's 600000", enc.bps)
		}
		if d, ok := r.Demand("cam"); ok {
			t.Errorf("demand %d from a forward that sends a rendition", d)
		}
		close(c.done)
		synctest.Wait()
	})
}

// TestRouterTranscodedOneViewerFarBelow: two viewers of one transcoded
// rendition, one of them reporting 1 kbit/s. The shared encoder stays at
// the other's rate and the slow one alone is thinned; when the slow one
// leaves nothing changes; a viewer that stops reporting without leaving
// stops counting after the expiry (3 s).
func TestRouterTranscodedOneViewerFarBelow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRouter(RouterConfig{Bounds: testBounds})
		src := stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/H264"})
		st := stream.New("cam", src, nil, nil)
		enc := &fakeEncoder{bps: 1_500_000}
		rd := stream.NewRendition(src, stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/VP8"}), "codec", enc)
		fast, slow := newFakeViewer("fast", st, rd), newFakeViewer("slow", st, rd)
		r.OnREMB(fast, 1_500_000)
		r.OnREMB(slow, 1_000)
		r.OnREMB(fast, 1_500_000)
		if enc.bps != 1_500_000 || !slow.thinned() || fast.thinned() {
			t.Fatalf("encoder at %d, slow thinned %v, fast thinned %v; want 1500000, slow alone thinned", enc.bps, slow.thinned(), fast.thinned())
		}
		close(slow.done)
		synctest.Wait()
		time.Sleep(time.Second)
		r.OnREMB(fast, 1_500_000)
		if enc.bps != 1_500_000 {
			t.Fatalf("encoder at %d after the slow viewer left, want 1500000", enc.bps)
		}

		mid := newFakeViewer("mid", st, rd)
		r.OnREMB(mid, 600_000) // within reach of the others: counts
		if enc.bps != 600_000 {
			t.Fatalf("encoder at %d, want mid's 600000", enc.bps)
		}
		for range 6 { // mid goes silent without leaving
			time.Sleep(time.Second)
			r.OnREMB(fast, 1_500_000)
		}
		if enc.bps < 1_400_000 {
			t.Errorf("encoder at %d 6 s after mid's last report, want back near 1500000", enc.bps)
		}
		close(fast.done)
		close(mid.done)
		synctest.Wait()
	})
}
