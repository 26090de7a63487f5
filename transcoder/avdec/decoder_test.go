//go:build cgo

package avdec

import (
	"errors"
	"math/rand/v2"
	"testing"

	"mediagate.dev/mediagate/transcoder"
)

// TestGarbageNeverCrashes feeds random bytes to every decoder: each call
// returns an error or nothing, and the decoder stays usable.
func TestGarbageNeverCrashes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, codec := range []string{transcoder.H264, transcoder.H265, transcoder.VP8} {
		d, err := NewVideoDecoder(transcoder.VideoDecoderConfig{Codec: codec})
		if err != nil {
			t.Fatal(err)
		}
		for range 200 {
			b := make([]byte, 1+rng.IntN(4000))
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			if codec == transcoder.H264 && rng.IntN(2) == 0 {
				copy(b, []byte{0, 0, 0, 1, 0x65})
			}
			if pic, err := d.Decode(b, 0); err != nil && !errors.Is(err, transcoder.ErrDecode) {
				t.Fatalf("%s: %v does not wrap ErrDecode", codec, err)
			} else if pic != nil {
				if err := pic.Check(transcoder.DefaultMaxPixels); err != nil {
					t.Fatalf("%s: picture from garbage: %v", codec, err)
				}
			}
		}
		if _, err := d.Decode(nil, 0); !errors.Is(err, transcoder.ErrDecode) {
			t.Errorf("%s: empty access unit: %v", codec, err)
		}
		d.Close()
		d.Close()
		if _, err := d.Decode([]byte{1}, 0); !errors.Is(err, transcoder.ErrClosed) {
			t.Errorf("%s: after Close: %v", codec, err)
		}
	}
}

func TestAudioDecoder(t *testing.T) {
	d, err := NewAudioDecoder(transcoder.AudioDecoderConfig{Codec: transcoder.AAC, Config: []byte{0x11, 0x90}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Channels() != 2 {
		t.Errorf("channels %d, want 2", d.Channels())
	}
	if _, err := d.Decode([]byte{0xde, 0xad, 0xbe, 0xef}); err != nil && !errors.Is(err, transcoder.ErrDecode) {
		t.Errorf("garbage: %v", err)
	}
	d.Close()
	d.Close()
	for _, cfg := range []transcoder.AudioDecoderConfig{
		{Codec: transcoder.Opus},
		{Codec: transcoder.AAC, SampleRate: 1, Channels: 1},
	} {
		if _, err := NewAudioDecoder(cfg); err == nil {
			t.Errorf("NewAudioDecoder(%+v) succeeded", cfg)
		}
	}
}

func TestUnsupported(t *testing.T) {
	if _, err := NewVideoDecoder(transcoder.VideoDecoderConfig{Codec: "video/AV1"}); !errors.Is(err, transcoder.ErrUnsupported) {
		t.Errorf("AV1: %v", err)
	}
}
