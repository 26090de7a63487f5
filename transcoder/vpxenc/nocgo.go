//go:build !cgo

package vpxenc

import "mediagate.dev/mediagate/transcoder"

// CPUUsed is libvpx's speed setting for real time (VP8E_SET_CPUUSED).
const CPUUsed = 8

// Encoder is unavailable in a build without cgo.
type Encoder struct{ transcoder.VideoEncoder }

// New returns transcoder.ErrUnavailable: the binary was built without cgo,
// so without libvpx.
func New(transcoder.VideoEncoderConfig) (*Encoder, error) { return nil, transcoder.ErrUnavailable }
