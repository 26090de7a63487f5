//go:build !cgo

package avdec

import "mediagate.dev/mediagate/transcoder"

// VideoDecoder is unavailable in a build without cgo.
type VideoDecoder struct{ transcoder.VideoDecoder }

// NewVideoDecoder returns transcoder.ErrUnavailable: the binary was built
// without cgo, so without libavcodec.
func NewVideoDecoder(transcoder.VideoDecoderConfig) (*VideoDecoder, error) {
	return nil, transcoder.ErrUnavailable
}

// AudioDecoder is unavailable in a build without cgo.
type AudioDecoder struct{ transcoder.AudioDecoder }

// NewAudioDecoder returns transcoder.ErrUnavailable: the binary was built
// without cgo, so without libavcodec.
func NewAudioDecoder(transcoder.AudioDecoderConfig) (*AudioDecoder, error) {
	return nil, transcoder.ErrUnavailable
}
