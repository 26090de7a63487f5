//go:build cgo

package opusenc

import (
	"errors"
	"testing"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/testpattern"
)

func TestEncoder(t *testing.T) {
	for _, ch := range []int{1, 2} {
		e, err := New(transcoder.AudioEncoderConfig{Codec: transcoder.Opus, Channels: ch})
		if err != nil {
			t.Fatal(err)
		}
		tone := testpattern.NewTone(ch)
		for i := range 10 {
			out, err := e.Encode(tone.Samples(int64(i*FrameSize), FrameSize))
			if err != nil || len(out) < 2 {
				t.Fatalf("%d channels, frame %d: %d bytes, %v", ch, i, len(out), err)
			}
			if stereo := out[0]&0x04 != 0; stereo != (ch == 2) { // the TOC's s bit (RFC 6716 §3.1)
				t.Errorf("%d channels: TOC %#x", ch, out[0])
			}
		}
		if err := e.SetBitrate(24000); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Encode(make([]int16, 100)); !errors.Is(err, transcoder.ErrEncode) {
			t.Errorf("short frame: %v, want ErrEncode", err)
		}
		e.Close()
		e.Close()
		if _, err := e.Encode(make([]int16, FrameSize*ch)); !errors.Is(err, transcoder.ErrClosed) {
			t.Errorf("after Close: %v, want ErrClosed", err)
		}
	}
	if _, err := New(transcoder.AudioEncoderConfig{Codec: transcoder.Opus, Channels: 3}); !errors.Is(err, transcoder.ErrUnsupported) {
		t.Errorf("3 channels: %v, want ErrUnsupported", err)
	}
}
