//go:build cgo

package x264enc

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/testpattern"
)

// nalTypes lists the NAL unit types of an Annex B access unit.
func nalTypes(au []byte) []byte {
	var types []byte
	for _, n := range bytes.Split(au, []byte{0, 0, 1})[1:] {
		if len(n) > 0 {
			types = append(types, n[0]&0x1f)
		}
	}
	return types
}

func TestEncoder(t *testing.T) {
	e, err := New(transcoder.VideoEncoderConfig{Codec: transcoder.H264, Width: 320, Height: 240, Bitrate: 500_000})
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
		want := i == 0 || force
		if f.Keyframe != want || len(f.Data) == 0 {
			t.Fatalf("frame %d: keyframe %v, %d bytes; want keyframe %v", i, f.Keyframe, len(f.Data), want)
		}
		types := nalTypes(f.Data)
		if want && (len(types) < 3 || types[0] != 7 || types[1] != 8 || types[len(types)-1] != 5) {
			t.Errorf("frame %d: NAL types %v, want SPS, PPS, …, IDR", i, types)
		}
		if want && f.Data[5] != 66 { // profile_idc of the SPS: baseline
			t.Errorf("profile_idc %d, want 66 (constrained baseline)", f.Data[5])
		}
	}
	if err := e.SetBitrate(200_000); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Encode(pat.Frame(time.Second, time.Time{}), false); err != nil {
		t.Fatalf("encode after SetBitrate: %v", err)
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
		{Codec: transcoder.VP8, Width: 320, Height: 240},
		{Codec: transcoder.H264, Width: 8000, Height: 8000},
		{Codec: transcoder.H264, Width: 321, Height: 240},
	} {
		if e, err := New(cfg); err == nil {
			e.Close()
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}
