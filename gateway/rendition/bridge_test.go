package rendition

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/codecs"
	"mediagate.dev/mediagate/transcoder/testpattern"
)

// camera encodes the test pattern as an RTP camera would send it: one
// keyframe, then only delta frames until keyframe is called.
type camera struct {
	t     *testing.T
	enc   *transcoder.Pipeline
	video *testpattern.Video
	track *stream.Track
	frame int
	ssrc  uint32
	seq   uint16
	out   []*stream.Packet // the packets of the last frame
	drop  func(i int, p *stream.Packet) bool
}

func newCamera(t *testing.T, mime string, w, h int) *camera {
	t.Helper()
	c := &camera{t: t, video: testpattern.NewVideo(w, h), ssrc: 0x1234,
		track: stream.NewTrack(stream.Video, stream.Codec{MimeType: mime, ClockRate: 90000, PayloadType: 96})}
	c.track.SetGOPLimits(stream.GOPLimits{MaxBytes: 8 << 20, MaxDuration: 10 * time.Second})
	c.open(mime)
	return c
}

// open (re)opens the camera's encoder: its next picture is a keyframe.
func (c *camera) open(mime string) {
	enc, err := transcoder.New(transcoder.Config{
		From: transcoder.RawVideo, To: mime, Codecs: codecs.Default(), PayloadType: 96,
		Output: func(h rtp.Header, payload []byte, key bool) {
			c.seq++
			h.SequenceNumber, h.SSRC = c.seq, c.ssrc
			c.out = append(c.out, &stream.Packet{Header: h, Payload: append([]byte(nil), payload...),
				Arrival: time.Now(), Keyframe: key})
		},
		Bitrate: 500_000, KeyframeGap: time.Millisecond,
	})
	if err != nil {
		c.t.Fatal(err)
	}
	if c.enc != nil {
		_ = c.enc.Close()
	}
	c.enc = enc
	c.t.Cleanup(func() { _ = enc.Close() })
}

// next encodes and writes n pictures.
func (c *camera) next(n int) {
	for range n {
		d := time.Duration(c.frame) * time.Second / 30
		c.frame++
		c.out = c.out[:0]
		c.enc.WritePicture(c.video.Frame(d, time.Unix(0, 0).Add(d)))
		for i, p := range c.out {
			if c.drop == nil || !c.drop(i, p) {
				c.track.Write(p)
			}
		}
	}
}

// bridgeManager is a Manager with codecs whose streams have the default
// [stream.start] with grace.
func bridgeManager(t *testing.T, maxBridges int, mod func(*config.Stream)) (*Manager, *prometheus.Registry) {
	t.Helper()
	if !codecs.Default().Available {
		t.Skip("built without cgo: no codecs")
	}
	reg := prometheus.NewRegistry()
	m := New(Config{Codecs: codecs.Default(), MaxBridges: maxBridges, Registerer: reg,
		Settings: func(string) config.Stream {
			sc := settings(time.Second)
			sc.Start.GracePeriod = config.Duration(200 * time.Millisecond)
			if mod != nil {
				mod(&sc)
			}
			return sc
		}})
	t.Cleanup(m.Close)
	return m, reg
}

// waitBridge polls cond for up to 5 s and fails the test naming what
// did not happen.
func waitBridge(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
	}
}

// firstKeyframe waits for a keyframe on sub.
func firstKeyframe(t *testing.T, sub *stream.Subscription, within time.Duration) *stream.Packet {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case p := <-sub.Packets():
			if p.Keyframe {
				return p
			}
		case <-deadline:
			return nil
		}
	}
}

// TestBridgeStartsOnCurrentPicture: a joiner mid-GOP gets a key frame with
// the timestamp of the camera's latest picture at once; a second joiner
// shares the bridge and gets its own key frame; after both leave, the
// bridge stops at the end of the grace period.
func TestBridgeStartsOnCurrentPicture(t *testing.T) {
	for _, mime := range []string{transcoder.H264, transcoder.VP8} {
		t.Run(mime, func(t *testing.T) {
			m, reg := bridgeManager(t, 4, nil)
			cam := newCamera(t, mime, 320, 240)
			st := stream.New("demo", cam.track, nil, nil)
			cam.next(40)
			latest := cam.track.LastPacket().Timestamp
			sub, release, err := m.Bridge(st, cam.track, 64)
			if err != nil {
				t.Fatal(err)
			}
			k := firstKeyframe(t, sub, 2*time.Second)
			if k == nil || k.Timestamp != latest {
				t.Fatalf("first key frame %v, want one of timestamp %d", describe(k), latest)
			}
			cam.next(3)
			sub2, release2, err := m.Bridge(st, cam.track, 64)
			if err != nil {
				t.Fatal(err)
			}
			cam.next(2)
			if firstKeyframe(t, sub2, 2*time.Second) == nil {
				t.Fatal("no key frame for the second joiner")
			}
			if n := testutil.ToFloat64(m.bm.running); n != 1 {
				t.Fatalf("%v bridges running for two joiners, want 1", n)
			}
			sub.Close()
			sub2.Close()
			release()
			release2()
			release() // a second call is a no-op
			deadline := time.Now().Add(3 * time.Second)
			for testutil.ToFloat64(m.bm.running) != 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n, v := testutil.ToFloat64(m.bm.running), testutil.ToFloat64(m.bm.viewers); n != 0 || v != 0 {
				t.Fatalf("after the grace period: %v bridges, %v viewers", n, v)
			}
			if _, err := reg.Gather(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestBridgeBadInput: a GOP that lost a packet of its keyframe gives the
// bridge no picture: it says so (counted) and recovers at the camera's
// next keyframe, as does the camera restarting at another size with
// another SSRC during a bridge; nothing wedges.
func TestBridgeBadInput(t *testing.T) {
	m, _ := bridgeManager(t, 4, nil)
	cam := newCamera(t, transcoder.H264, 320, 240)
	st := stream.New("demo", cam.track, nil, nil)
	// Lose the second packet of the keyframe.
	first := true
	cam.drop = func(i int, _ *stream.Packet) bool {
		if first && i == 1 {
			first = false
			return true
		}
		return false
	}
	cam.next(20)
	cam.drop = nil
	sub, release, err := m.Bridge(st, cam.track, 256)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	defer sub.Close()
	// Either the decoder concealed the loss and the priming made a key
	// frame, or the bridge counted that it had no picture.
	noPicture := func() float64 { return testutil.ToFloat64(m.bm.failures.WithLabelValues("no_picture")) }
	var k *stream.Packet
	for deadline := time.Now().Add(5 * time.Second); k == nil && noPicture() == 0 && time.Now().Before(deadline); {
		k = firstKeyframe(t, sub, 50*time.Millisecond)
	}
	if k != nil {
		t.Logf("a key frame came out of the damaged GOP (the decoder concealed the loss): ts %d", k.Timestamp)
	} else if f := noPicture(); f != 1 {
		t.Fatalf("no key frame and %v failures counted, want 1", f)
	}
	// The camera restarts: a new SSRC, other sequence numbers, another size.
	cam.ssrc, cam.seq = 0x9999, 40000
	cam.video = testpattern.NewVideo(640, 480)
	cam.open(transcoder.H264)
	cam.next(5)
	k = firstKeyframe(t, sub, 2*time.Second)
	if k == nil {
		// The bridge encodes what it decodes from the new keyframe on; a
		// viewer asks for a key frame when it joins, so ask as one would.
		m.mu.Lock()
		b := m.bridges[cam.track]
		m.mu.Unlock()
		b.pipe.RequestKeyframe()
		cam.next(2)
		if k = firstKeyframe(t, sub, 2*time.Second); k == nil {
			t.Fatalf("the bridge never recovered after the camera restarted: %+v", b.pipe.Stats())
		}
	}
}

// TestBridgeBounds: webrtc.max_bridges and start.max_bridged refuse
// joiners past them (they wait), the wait mode and a codec the gateway
// cannot encode have no bridge, and a track without a GOP has none.
func TestBridgeBounds(t *testing.T) {
	m, reg := bridgeManager(t, 1, func(sc *config.Stream) { sc.Start.MaxBridged = 1 })
	a, b := newCamera(t, transcoder.H264, 160, 120), newCamera(t, transcoder.VP8, 160, 120)
	sa, sb := stream.New("a", a.track, nil, nil), stream.New("b", b.track, nil, nil)
	a.next(10)
	b.next(10)
	_, release, err := m.Bridge(sa, a.track, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, _, err := m.Bridge(sa, a.track, 16); !errors.Is(err, ErrBridgeBusy) {
		t.Errorf("a second joiner past max_bridged = 1: %v, want ErrBridgeBusy", err)
	}
	if _, _, err := m.Bridge(sb, b.track, 16); !errors.Is(err, ErrBridgeBusy) {
		t.Errorf("a second bridge past max_bridges = 1: %v, want ErrBridgeBusy", err)
	}
	if n := testutil.CollectAndCount(reg, "mediagate_start_bridge_refused_total"); n != 2 {
		t.Errorf("%d refusal reasons counted, want 2", n)
	}
	wait, _ := bridgeManager(t, 4, func(sc *config.Stream) { sc.Start.Mode = config.StartWait })
	if _, _, err := wait.Bridge(sa, a.track, 16); !errors.Is(err, ErrNoBridge) {
		t.Errorf("start.mode = wait: %v, want ErrNoBridge", err)
	}
	av1 := stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/AV1", ClockRate: 90000})
	if _, _, err := m.Bridge(stream.New("c", av1, nil, nil), av1, 16); !errors.Is(err, ErrNoBridge) {
		t.Errorf("AV1: %v, want ErrNoBridge", err)
	}
	fresh := newCamera(t, transcoder.VP8, 160, 120) // no packet yet: no GOP
	other, _ := bridgeManager(t, 4, nil)
	if _, _, err := other.Bridge(stream.New("d", fresh.track, nil, nil), fresh.track, 16); !errors.Is(err, ErrNoBridge) {
		t.Errorf("no GOP: %v, want ErrNoBridge", err)
	}
}

// TestBridgeWarm: a bridge warmed for a connecting viewer decodes the GOP
// before the viewer joins; the join then gets the key frame of the latest
// picture, and a second Warm while it runs starts nothing more.
func TestBridgeWarm(t *testing.T) {
	m, _ := bridgeManager(t, 4, nil)
	cam := newCamera(t, transcoder.VP8, 320, 240)
	st := stream.New("demo", cam.track, nil, nil)
	cam.next(30)
	m.Warm(st, cam.track)
	m.Warm(st, cam.track)
	if n := testutil.ToFloat64(m.bm.running); n != 1 {
		t.Fatalf("%v bridges after two warms, want 1", n)
	}
	framesIn := func() uint64 { // what the bridge has taken in; idle or not
		m.mu.Lock()
		defer m.mu.Unlock()
		b := m.bridges[cam.track]
		if b.state != bridgeIdle {
			return 0
		}
		return b.pipe.Stats().FramesIn
	}
	// The viewer connects once the bridge has decoded the GOP and two
	// pictures more.
	waitBridge(t, "the warm bridge idle", func() bool { return framesIn() > 0 })
	before := framesIn()
	cam.next(2)
	waitBridge(t, "two more pictures taken in", func() bool { return framesIn() >= before+2 })
	latest := cam.track.LastPacket().Timestamp
	sub, release, err := m.Bridge(st, cam.track, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	defer sub.Close()
	if k := firstKeyframe(t, sub, 2*time.Second); k == nil || k.Timestamp != latest {
		t.Fatalf("first key frame %v, want one of timestamp %d", describe(k), latest)
	}
}

// describe is a packet's timestamp for a failure message, or "none".
func describe(p *stream.Packet) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprintf("of timestamp %d", p.Timestamp)
}
