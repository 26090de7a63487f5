//go:build !cgo

package x264enc

import "mediagate.dev/mediagate/transcoder"

// Encoder is unavailable in a build without cgo.
type Encoder struct{ transcoder.VideoEncoder }

// New returns transcoder.ErrUnavailable: the binary was built without cgo,
// so without libx264.
func New(transcoder.VideoEncoderConfig) (*Encoder, error) { return nil, transcoder.ErrUnavailable }
