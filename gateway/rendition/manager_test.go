package rendition

import (
	"errors"
	"testing"
	"time"

	"github.com/pion/transport/v3/test"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/codecs"
)

// newStream is a testpattern-shaped stream: video in the given codec and
// Opus audio.
func newStream(video string) (*stream.Stream, *event.Bus) {
	bus := event.New(nil)
	v := stream.NewTrack(stream.Video, stream.Codec{MimeType: video, ClockRate: 90000, PayloadType: 96})
	a := stream.NewTrack(stream.Audio, stream.Codec{MimeType: transcoder.Opus, ClockRate: 48000, Channels: 2, PayloadType: 111})
	return stream.New("demo", v, a, bus), bus
}

// settings is a stream definition with the defaults and the given grace
// period.
func settings(grace time.Duration) config.Stream {
	sc := defaultSettings("demo")
	sc.Name = "demo"
	sc.Source = config.SourceTestPattern
	sc.Transcode.GracePeriod = config.Duration(grace)
	return sc
}

// waitEvent waits for an event of type typ.
func waitEvent(t *testing.T, events <-chan event.Event, typ event.Type) event.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Type == typ {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s", typ)
			return event.Event{}
		}
	}
}

// TestWithoutCodecs checks the zero Config: nothing is transcoded, a test
// pattern stays down without an error, and Close may be called twice.
func TestWithoutCodecs(t *testing.T) {
	m := New(Config{})
	st, _ := newStream(transcoder.H264)
	if p := m.Policy(st, st.Tracks()[0]); len(p.Targets) != 0 || p.BFrames {
		t.Errorf("Policy without codecs = %+v, want passthrough only", p)
	}
	if err := m.StartPattern(st, settings(time.Second)); err != nil {
		t.Errorf("StartPattern without codecs: %v", err)
	}
	if m.PatternRunning("demo") {
		t.Error("a pattern runs without codecs")
	}
	if d := m.Describe(st); d != nil {
		t.Errorf("Describe of a stream without renditions = %v, want nil", d)
	}
	m.Close()
	m.Close()
}

// TestSharedAndReleased has two viewers acquire the VP8 rendition of a
// test pattern: they share one, it keeps running while one holds it, and
// stops with "no viewers" after the grace period once both gave it back.
func TestSharedAndReleased(t *testing.T) {
	c := codecs.Default()
	if !c.Available {
		t.Skip("built without cgo: no codecs")
	}
	report := test.CheckRoutines(t)
	defer report()
	st, bus := newStream(transcoder.H264)
	defer st.Close()
	events, unsubscribe := bus.Subscribe(64)
	defer unsubscribe()
	sc := settings(50 * time.Millisecond)
	m := New(Config{Codecs: c, Settings: func(string) config.Stream { return sc }, QueueDepth: 64})
	defer m.Close()
	if err := m.StartPattern(st, sc); err != nil || !m.PatternRunning("demo") {
		t.Fatalf("StartPattern: %v, running %v", err, m.PatternRunning("demo"))
	}
	src := st.Tracks()[0]
	if p := m.Policy(st, src); len(p.Targets) != 2 || p.BFrames {
		t.Errorf("Policy = %+v, want VP8 and H.264 targets, no B-frames", p)
	}
	r1, release1, err := m.Acquire(st, src, transcoder.VP8, egress.ReasonCodec)
	if err != nil {
		t.Fatal(err)
	}
	r2, release2, err := m.Acquire(st, src, "video/vp8", egress.ReasonCodec)
	if err != nil || r2 != r1 {
		t.Fatalf("second Acquire: %v, same rendition %v", err, r2 == r1)
	}
	e := waitEvent(t, events, event.TranscodingActive)
	if e.Data["to"] != transcoder.VP8 || e.Data["reason"] != egress.ReasonCodec {
		t.Errorf("transcoding.active %+v", e)
	}
	sub := r1.Track.Subscribe(64)
	select {
	case <-sub.Packets():
	case <-time.After(10 * time.Second):
		t.Fatal("no VP8 packet from the rendition")
	}
	if d, _ := m.Describe(st)["renditions"].([]map[string]any); len(d) != 1 || d[0]["codec"] != transcoder.VP8 {
		t.Errorf("Describe = %v, want one VP8 rendition", d)
	}
	sub.Close()
	release1()
	release1()
	if n := len(st.Renditions()); n != 1 {
		t.Fatalf("%d renditions while one viewer holds it, want 1", n)
	}
	release2()
	if e := waitEvent(t, events, event.TranscodingInactive); e.Data["reason"] != "no viewers" {
		t.Errorf("transcoding.inactive %+v, want reason \"no viewers\"", e)
	}
	if n := len(st.Renditions()); n != 0 {
		t.Errorf("%d renditions after the grace period, want 0", n)
	}
	m.Close()
	if m.PatternRunning("demo") {
		t.Error("the pattern runs after Close")
	}
	if _, _, err := m.Acquire(st, src, transcoder.VP8, egress.ReasonCodec); !errors.Is(err, transcoder.ErrClosed) {
		t.Errorf("Acquire after Close: %v, want ErrClosed", err)
	}
}

// TestParameterSetsOnlyOnce: a camera that sends its parameter sets only
// with its first IDR (x265's open GOPs do) and starts sending the moment
// a rendition is acquired still gets transcoded: the rendition's feed is
// subscribed before the track's parameter set memory is read, so the
// first IDR is in one or the other.
func TestParameterSetsOnlyOnce(t *testing.T) {
	if !codecs.Default().Available {
		t.Skip("built without cgo: no codecs")
	}
	for range 5 {
		cam := newCamera(t, transcoder.H264, 320, 240)
		cam.drop = func(_ int, p *stream.Packet) bool { // parameter sets after the first picture's
			n := p.Payload[0] & 0x1f
			return cam.frame > 1 && (n == 7 || n == 8 || n == 24)
		}
		st := stream.New("demo", cam.track, nil, nil)
		sc := settings(time.Second)
		m := New(Config{Codecs: codecs.Default(), Settings: func(string) config.Stream { return sc }, QueueDepth: 256})
		keep := cam.drop
		cam.drop = func(int, *stream.Packet) bool { return true }
		cam.next(1) // the first IDR, held back
		idr := append([]*stream.Packet(nil), cam.out...)
		cam.drop = keep
		r, release, err := m.Acquire(st, cam.track, transcoder.VP8, egress.ReasonCodec)
		if err != nil {
			t.Fatal(err)
		}
		// Subscribed first: the rendition's first key frame comes from that
		// IDR, and nothing asks for another within the test.
		sub := r.Track.Subscribe(256)
		for _, p := range idr { // written the moment the rendition exists
			cam.track.Write(p)
		}
		for i := 0; i < 3; i++ {
			cam.open(transcoder.H264) // IDRs without parameter sets
			cam.next(10)
		}
		if firstKeyframe(t, sub, 5*time.Second) == nil {
			t.Fatalf("no VP8 key frame: the first IDR's parameter sets were lost (%+v)", m.Describe(st))
		}
		sub.Close()
		release()
		m.Close()
		st.Close()
	}
}
