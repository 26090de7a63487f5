package egress

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
)

// joinKeyframes is a source that spaces its requests, like ingest: it
// counts regular requests in n and join requests in joins, and signals
// both on ch.
type joinKeyframes struct {
	keyframes
	joins atomic.Int64
}

func (k *joinKeyframes) RequestJoinKeyframe() {
	k.joins.Add(1)
	select {
	case k.ch <- struct{}{}:
	default:
	}
}

// newJoinStream is newTestStream with a spacing source.
func newJoinStream(video, audio *stream.Codec) (*stream.Stream, *joinKeyframes) {
	s, _ := newTestStream(video, audio, nil)
	k := &joinKeyframes{keyframes: keyframes{ch: make(chan struct{}, 16)}}
	s.SetKeyframeRequester(k)
	return s, k
}

// untilAudio writes Opus packets into the stream until the client receives
// one: the viewer's audio track is then live.
func untilAudio(t *testing.T, s *stream.Stream, c *client) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		src := &source{track: s.Audio, ssrc: 5, step: 960}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := uint32(0); ; i++ {
			src.write(0xfc, i, false)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	for {
		tr := c.nextTrack(t)
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			nextPacket(t, readPackets(tr))
			return
		}
	}
}

// TestJoinAsksOnlyForVideo: a viewer's join asks the source for one
// keyframe, as a join request, for its video track and none for audio.
func TestJoinAsksOnlyForVideo(t *testing.T) {
	cases := []struct {
		name      string
		video     *stream.Codec
		kinds     []webrtc.RTPCodecType
		wantJoins int64
	}{
		{"audio only", nil, []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio}, 0},
		{"audio and video", &vp8Codec, []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, nil)
			s, k := newJoinStream(tc.video, &opusCodec)
			cl := newClient(t, tc.kinds...)
			connect(t, m, s, &k.keyframes, cl)
			untilAudio(t, s, cl) // both tracks have joined
			if got := k.joins.Load(); got != tc.wantJoins {
				t.Errorf("%d join requests, want %d", got, tc.wantJoins)
			}
			if tc.video == nil && k.n.Load() != 0 {
				t.Errorf("%d keyframe requests for an audio-only viewer", k.n.Load())
			}
		})
	}
}

// TestViewerPLIInFirstSecond: a viewer's PLI right after it joined reaches
// the source as a join request (at once, not coalesced into the join's);
// after the join window a PLI is a regular request.
func TestViewerPLIInFirstSecond(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s, k := newJoinStream(&vp8Codec, nil)
	cl := newClient(t, webrtc.RTPCodecTypeVideo)
	v := connect(t, m, s, &k.keyframes, cl)
	if got := k.joins.Load(); got != 1 {
		t.Fatalf("%d join requests after connecting, want 1", got)
	}
	ssrc := v.tracks[0].bound.Load().ssrc
	pli := []rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}
	if err := cl.pc.WriteRTCP(pli); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return k.joins.Load() == 2 }, "the PLI as a join request")

	src := &source{track: s.Video, ssrc: 3, step: 3000}
	mediaCases[1].write(src, 0) // a keyframe: the track waits no more
	nextPacket(t, readPackets(cl.nextTrack(t)))
	past := time.Now().Add(-joinWindow)
	v.liveAt.Store(&past)
	before := k.n.Load()
	if err := cl.pc.WriteRTCP(pli); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return k.n.Load() > before }, "the later PLI as a regular request")
	if got := k.joins.Load(); got != 2 {
		t.Errorf("%d join requests after the join window, want 2", got)
	}
}

// TestKeyframeForJoinWindow: the viewer's keyframe requests are joins from
// its first live track for joinWindow, regular before and after.
func TestKeyframeForJoinWindow(t *testing.T) {
	s, k := newJoinStream(&vp8Codec, nil)
	v := &Viewer{stream: s}
	request := v.keyframeFor(nil, nil)
	request()
	if k.n.Load() != 1 || k.joins.Load() != 0 {
		t.Fatalf("before going live: %d regular, %d joins", k.n.Load(), k.joins.Load())
	}
	v.wentLive(time.Now())
	first := v.liveAt.Load()
	v.wentLive(time.Now().Add(time.Hour)) // a second track: the window stays
	if v.liveAt.Load() != first {
		t.Fatal("a second track moved the join window")
	}
	request()
	if k.n.Load() != 1 || k.joins.Load() != 1 {
		t.Fatalf("within the window: %d regular, %d joins", k.n.Load(), k.joins.Load())
	}
	if !v.joining(first.Add(joinWindow-time.Nanosecond)) || v.joining(first.Add(joinWindow)) {
		t.Fatalf("window is not [live, live+%v)", joinWindow)
	}
	past := time.Now().Add(-joinWindow)
	v.liveAt.Store(&past)
	request()
	if k.n.Load() != 2 || k.joins.Load() != 1 {
		t.Fatalf("after the window: %d regular, %d joins", k.n.Load(), k.joins.Load())
	}
}
