//go:build !cgo

package opusenc

import "mediagate.dev/mediagate/transcoder"

// FrameSize is 20 ms at 48 kHz, the frame WebRTC sends.
const FrameSize = 960

// Encoder is unavailable in a build without cgo.
type Encoder struct{ transcoder.AudioEncoder }

// New returns transcoder.ErrUnavailable: the binary was built without cgo,
// so without libopus.
func New(transcoder.AudioEncoderConfig) (*Encoder, error) { return nil, transcoder.ErrUnavailable }
