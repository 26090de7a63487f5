package ingest

import (
	"testing"
	"testing/synctest"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
)

// requesting is a socketless source installed as its stream's keyframe
// requester, as NewSource installs it.
func requesting(t *testing.T, cfg SourceConfig) (*Source, *recorder) {
	t.Helper()
	s, rec := socketless(t, cfg, nil)
	s.st.SetKeyframeRequester(s)
	return s, rec
}

// TestJoinKeyframe: a joining viewer's request reaches the camera at once,
// even right after a regular one; the next regular request is spaced from
// it; join requests are counted apart.
func TestJoinKeyframe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := requesting(t, SourceConfig{KeyframeInterval: time.Second})
		feed(s, 1)
		s.st.RequestKeyframe()
		time.Sleep(100 * time.Millisecond)
		s.st.RequestKeyframeForJoin()
		if n := rec.count(isPLI); n != 2 {
			t.Fatalf("%d PLIs, want the regular one and the join at once", n)
		}
		if got := value(s.met.joinKeys); got != 1 {
			t.Errorf("join_keyframe_requests = %v, want 1", got)
		}
		if got := value(s.met.pli); got != 2 {
			t.Errorf("rtcp_sent{pli} = %v, want 2", got)
		}
		time.Sleep(999 * time.Millisecond)
		s.st.RequestKeyframe()
		if n := rec.count(isPLI); n != 2 {
			t.Fatalf("%d PLIs: a regular request within the interval of the join went out", n)
		}
		time.Sleep(time.Millisecond)
		s.st.RequestKeyframe()
		if n := rec.count(isPLI); n != 3 {
			t.Fatalf("%d PLIs, want the regular request once the interval passed", n)
		}
	})
}

// TestJoinKeyframeFlood: many viewers joining at once reach the camera
// with the stream's join budget, not one PLI each.
func TestJoinKeyframeFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := requesting(t, SourceConfig{KeyframeInterval: time.Second})
		feed(s, 1)
		for range 100 {
			s.st.RequestKeyframeForJoin()
		}
		if n := rec.count(isPLI); n != stream.JoinKeyframeBurst {
			t.Fatalf("100 joins sent %d PLIs, want %d", n, stream.JoinKeyframeBurst)
		}
		// 10 s of a join every 10 ms: the budget's refill plus one regular
		// request per interval.
		for range 1000 {
			time.Sleep(10 * time.Millisecond)
			s.st.RequestKeyframeForJoin()
		}
		want := stream.JoinKeyframeBurst + int(10*time.Second/stream.JoinKeyframeEvery) + 10
		if n := rec.count(isPLI); n > want {
			t.Errorf("1000 joins over 10 s sent %d PLIs, want at most %d", n, want)
		}
		if got, n := value(s.met.joinKeys), rec.count(isPLI); got > float64(n) || got < stream.JoinKeyframeBurst {
			t.Errorf("join_keyframe_requests = %v of %d PLIs", got, n)
		}
	})
}

// TestJoinKeyframeBeforeSender: a join made before the camera is known is
// sent, and counted as a join, once it is.
func TestJoinKeyframeBeforeSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, rec := requesting(t, SourceConfig{KeyframeInterval: time.Second})
		s.st.RequestKeyframeForJoin()
		if n := rec.count(isPLI); n != 0 {
			t.Fatalf("%d PLIs with no sender", n)
		}
		feed(s, 1)
		if n := rec.count(isPLI); n != 1 || value(s.met.joinKeys) != 1 {
			t.Fatalf("%d PLIs, %v joins once the sender is known; want 1, 1", n, value(s.met.joinKeys))
		}
	})
}

// TestJoinKeyframeAudioOnly: a stream without video asks its sender for
// nothing, join or not.
func TestJoinKeyframeAudioOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := stream.New(testStream, nil, stream.NewTrack(stream.Audio, stream.Codec{MimeType: "audio/opus", ClockRate: 48000, Channels: 2, PayloadType: audioPT}), nil)
		s, err := newSource(SourceConfig{Name: testStream}, st, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		s.rtpOut, s.rtcpOut = rec, rec
		st.SetKeyframeRequester(s)
		s.handle(rtpBytes(0x80, audioPT, 1, 0xfc, 1), camera, false, time.Now())
		s.handle(rtpBytes(0x80, audioPT, 2, 0xfc, 1), camera, false, time.Now())
		st.RequestKeyframeForJoin()
		st.RequestKeyframe()
		if n := rec.count(isPLI); n != 0 || value(s.met.joinKeys) != 0 {
			t.Fatalf("%d PLIs for an audio-only stream", n)
		}
	})
}
