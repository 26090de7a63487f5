// Package codecs gathers transcoder's cgo leaf packages — avdec, vpxenc,
// x264enc and opusenc — into one transcoder.Codecs. It is pure Go: the
// gateway imports it to open real codecs, and it builds without cgo, when
// every constructor returns transcoder.ErrUnavailable and Available is
// false.
package codecs

import (
	"fmt"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/avdec"
	"mediagate.dev/mediagate/transcoder/opusenc"
	"mediagate.dev/mediagate/transcoder/vpxenc"
	"mediagate.dev/mediagate/transcoder/x264enc"
)

// Default returns the codecs built into this binary.
func Default() transcoder.Codecs {
	return transcoder.Codecs{
		NewVideoDecoder: newVideoDecoder,
		NewVideoEncoder: newVideoEncoder,
		NewAudioDecoder: newAudioDecoder,
		NewAudioEncoder: newAudioEncoder,
		Available:       available,
	}
}

func newVideoDecoder(c transcoder.VideoDecoderConfig) (transcoder.VideoDecoder, error) {
	d, err := avdec.NewVideoDecoder(c)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func newVideoEncoder(c transcoder.VideoEncoderConfig) (transcoder.VideoEncoder, error) {
	switch {
	case transcoder.SameCodec(c.Codec, transcoder.VP8):
		e, err := vpxenc.New(c)
		if err != nil {
			return nil, err
		}
		return e, nil
	case transcoder.SameCodec(c.Codec, transcoder.H264):
		e, err := x264enc.New(c)
		if err != nil {
			return nil, err
		}
		return e, nil
	}
	return nil, fmt.Errorf("%w: encode %s", transcoder.ErrUnsupported, c.Codec)
}

func newAudioDecoder(c transcoder.AudioDecoderConfig) (transcoder.AudioDecoder, error) {
	d, err := avdec.NewAudioDecoder(c)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func newAudioEncoder(c transcoder.AudioEncoderConfig) (transcoder.AudioEncoder, error) {
	e, err := opusenc.New(c)
	if err != nil {
		return nil, err
	}
	return e, nil
}
