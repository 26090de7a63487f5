package codecs

import (
	"errors"
	"testing"

	"mediagate.dev/mediagate/transcoder"
)

// TestDefault opens one of every codec; built without cgo, each reports
// transcoder.ErrUnavailable instead.
func TestDefault(t *testing.T) {
	c := Default()
	check := func(name string, err error) {
		t.Helper()
		switch {
		case c.Available && err != nil:
			t.Errorf("%s: %v", name, err)
		case !c.Available && !errors.Is(err, transcoder.ErrUnavailable):
			t.Errorf("%s without cgo: %v, want ErrUnavailable", name, err)
		}
	}
	for _, codec := range []string{transcoder.H264, transcoder.VP8} {
		d, err := c.NewVideoDecoder(transcoder.VideoDecoderConfig{Codec: codec})
		check("decoder "+codec, err)
		e, err := c.NewVideoEncoder(transcoder.VideoEncoderConfig{Codec: codec, Width: 64, Height: 64})
		check("encoder "+codec, err)
		if err == nil {
			_ = d.Close()
			_ = e.Close()
		}
	}
	ad, err := c.NewAudioDecoder(transcoder.AudioDecoderConfig{Codec: transcoder.AAC, SampleRate: 48000, Channels: 2})
	check("AAC decoder", err)
	ae, err := c.NewAudioEncoder(transcoder.AudioEncoderConfig{Codec: transcoder.Opus, Channels: 2})
	check("Opus encoder", err)
	if err == nil {
		_ = ad.Close()
		_ = ae.Close()
	}
	if _, err := c.NewVideoEncoder(transcoder.VideoEncoderConfig{Codec: "video/AV1"}); !errors.Is(err, transcoder.ErrUnsupported) {
		t.Errorf("AV1 encoder: %v, want ErrUnsupported", err)
	}
}
