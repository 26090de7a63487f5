package testsrc

import (
	"errors"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/codecs"
)

func newStream(video string) (*stream.Stream, *event.Bus) {
	bus := event.New(nil)
	v := stream.NewTrack(stream.Video, stream.Codec{MimeType: video, ClockRate: 90000, PayloadType: 96})
	a := stream.NewTrack(stream.Audio, stream.Codec{MimeType: transcoder.Opus, ClockRate: 48000, Channels: 2, PayloadType: 111})
	return stream.New("demo", v, a, bus), bus
}

// next waits for the next packet of a subscription.
func next(t *testing.T, s *stream.Subscription) *stream.Packet {
	t.Helper()
	select {
	case p := <-s.Packets():
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no packet")
		return nil
	}
}

func TestSource(t *testing.T) {
	c := codecs.Default()
	if !c.Available {
		t.Skip("no codecs without cgo")
	}
	for _, video := range []string{transcoder.H264, transcoder.VP8} {
		t.Run(video, func(t *testing.T) {
			st, bus := newStream(video)
			events, cancel := bus.Subscribe(8)
			defer cancel()
			src, err := Start(Config{Stream: st, Codecs: c, Width: 320, Height: 240, Bitrate: 300_000})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if e := <-events; e.Type != event.StreamUp || !st.Up() {
				t.Fatalf("event %+v, want stream.up", e)
			}
			vs, as := st.Video.Subscribe(256), st.Audio.Subscribe(256)
			defer vs.Close()
			defer as.Close()
			if p := next(t, vs); !p.Keyframe {
				t.Error("the first video packet is not a keyframe")
			}
			a1, a2 := next(t, as), next(t, as)
			if d := a2.Timestamp - a1.Timestamp; d != 960 {
				t.Errorf("audio timestamp step %d, want 960", d)
			}
			st.RequestKeyframe() // reaches the encoder: a keyframe follows
			deadline := time.After(5 * time.Second)
			for p := next(t, vs); !p.Keyframe; p = next(t, vs) {
				select {
				case <-deadline:
					t.Fatal("no keyframe after RequestKeyframe")
				default:
				}
			}
			src.Close()
			if st.Up() {
				t.Error("stream still up after Close")
			}
		})
	}
}

func TestSourceStopsWithItsStream(t *testing.T) {
	c := codecs.Default()
	if !c.Available {
		t.Skip("no codecs without cgo")
	}
	st, _ := newStream(transcoder.VP8)
	src, err := Start(Config{Stream: st, Codecs: c, Width: 160, Height: 120})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	select {
	case <-src.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the source outlived its stream")
	}
	src.Close()
}

func TestUnavailable(t *testing.T) {
	st, _ := newStream(transcoder.H264)
	if _, err := Start(Config{Stream: st}); !errors.Is(err, transcoder.ErrUnavailable) {
		t.Fatalf("Start without codecs: %v, want ErrUnavailable", err)
	}
}
