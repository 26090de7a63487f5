//go:build cgo

package vpxenc

import (
	"errors"
	"testing"
	"time"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/testpattern"
)

func TestEncoder(t *testing.T) {
	e, err := New(transcoder.VideoEncoderConfig{Codec: transcoder.VP8, Width: 320, Height: 240, Bitrate: 500_000})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	pat := testpattern.NewVideo(320, 240)
	for i, force := range []bool{false, false, true, false} {
		d := time.Duration(i) * time.Second / 30
		f, err := e.Encode(pat.Frame(d, time.Unix(0, 0).Add(d)), force)
		if err != nil {
			t.Fatal(err)
		}
		if want := i == 0 || force; f.Keyframe != want || len(f.Data) == 0 {
			t.Errorf("frame %d: keyframe %v, %d bytes; want keyframe %v", i, f.Keyframe, len(f.Data), want)
		}
		if f.Keyframe && (f.Data[0]&1 != 0 || f.Data[3] != 0x9d) { // RFC 6386 §9.1
			t.Errorf("frame %d: not a VP8 key frame header: % x", i, f.Data[:4])
		}
	}
	if err := e.SetBitrate(200_000); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Encode(transcoder.NewPicture(160, 120), false); !errors.Is(err, transcoder.ErrEncode) {
		t.Errorf("picture of another size: %v, want ErrEncode", err)
	}
	e.Close()
	e.Close()
	if _, err := e.Encode(pat.Frame(0, time.Time{}), false); !errors.Is(err, transcoder.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, cfg := range []transcoder.VideoEncoderConfig{
		{Codec: transcoder.H264, Width: 320, Height: 240},
		{Codec: transcoder.VP8, Width: 8000, Height: 8000},
		{Codec: transcoder.VP8, Width: 4, Height: 4},
	} {
		if e, err := New(cfg); err == nil {
			e.Close()
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}
