package stream

import (
	"errors"
	"testing"
)

// fakeControl records what a rendition's viewers ask of its encoder.
type fakeControl struct{ keyframes, bitrate int }

func (f *fakeControl) RequestKeyframe() { f.keyframes++ }
func (f *fakeControl) SetBitrate(bps int) int {
	f.bitrate = bps
	return bps
}
func (f *fakeControl) Bitrate() int { return f.bitrate }

func TestRenditions(t *testing.T) {
	src := NewTrack(Video, Codec{MimeType: "video/H264", ClockRate: 90000})
	st := New("cam", src, nil, nil)
	ctl := &fakeControl{}
	vp8 := NewRendition(src, NewTrack(Video, Codec{MimeType: "video/VP8", ClockRate: 90000}), "viewer codec", ctl)
	if err := st.AddRendition(vp8); err != nil {
		t.Fatal(err)
	}
	dup := NewRendition(src, NewTrack(Video, Codec{MimeType: "video/vp8"}), "", ctl)
	if err := st.AddRendition(dup); !errors.Is(err, ErrExists) {
		t.Fatalf("second VP8 rendition: %v, want ErrExists", err)
	}
	if got := st.Rendition(src, "VIDEO/VP8"); got != vp8 {
		t.Fatalf("Rendition = %v, want the VP8 one", got)
	}
	if st.Rendition(src, "video/H264") != nil {
		t.Fatal("an H.264 rendition that was never added")
	}
	vp8.RequestKeyframe()
	if vp8.SetBitrate(500_000) != 500_000 || vp8.Bitrate() != 500_000 || ctl.keyframes != 1 {
		t.Fatalf("control not reached: %+v", ctl)
	}
	if n := len(st.Renditions()); n != 1 {
		t.Fatalf("%d renditions, want 1", n)
	}
	st.RemoveRendition(vp8)
	st.RemoveRendition(vp8) // absent: nothing happens
	if st.Rendition(src, "video/VP8") != nil || len(st.Renditions()) != 0 {
		t.Fatal("rendition still there after RemoveRendition")
	}
}
