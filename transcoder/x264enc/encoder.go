//go:build cgo

package x264enc

// #cgo pkg-config: x264
// #include "bridge.h"
import "C"

import (
	"fmt"
	"unsafe"

	"mediagate.dev/mediagate/transcoder"
)

// Encoder is a libx264 H.264 encoder. Encode makes one call into libx264;
// SetBitrate takes effect on the next Encode through x264_encoder_reconfig.
type Encoder struct{ *transcoder.CoreEncoder }

// New opens an H.264 constrained-baseline encoder for cfg.
func New(cfg transcoder.VideoEncoderConfig) (*Encoder, error) {
	cfg, err := transcoder.CheckEncoderConfig("x264enc", transcoder.H264, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Width%2 != 0 || cfg.Height%2 != 0 {
		return nil, fmt.Errorf("%w: 4:2:0 needs even sides, not %dx%d", transcoder.ErrEncode, cfg.Width, cfg.Height)
	}
	e := C.mg_x264_open(C.int(cfg.Width), C.int(cfg.Height), C.int(cfg.FPS), C.int(transcoder.Kbps(cfg.Bitrate)),
		C.int(cfg.KeyframeInterval))
	if e == nil {
		return nil, fmt.Errorf("%w: x264_encoder_open failed", transcoder.ErrEncode)
	}
	return &Encoder{transcoder.NewCoreEncoder(cfg, core{e})}, nil
}

// core is the libx264 half of an Encoder: a transcoder.EncoderCore, used
// under the CoreEncoder's mutex.
type core struct{ e *C.mg_x264 }

// Encode implements transcoder.EncoderCore with x264_encoder_encode.
// zerolatency keeps no picture back, so every call returns its picture;
// libx264 takes no duration.
func (c core) Encode(p *transcoder.Picture, pts, _ int64, keyframe bool, out []byte) (int, bool, error) {
	force := C.int(0)
	if keyframe {
		force = 1
	}
	var isKey C.int
	n := C.mg_x264_encode(c.e,
		(*C.uint8_t)(unsafe.Pointer(&p.Planes[0][0])), (*C.uint8_t)(unsafe.Pointer(&p.Planes[1][0])),
		(*C.uint8_t)(unsafe.Pointer(&p.Planes[2][0])),
		C.int(p.Strides[0]), C.int(p.Strides[1]), C.int(p.Strides[2]),
		C.int64_t(pts), force,
		(*C.uint8_t)(unsafe.Pointer(&out[0])), C.int(len(out)), &isKey)
	if n < 0 {
		return 0, false, fmt.Errorf("%w: x264_encoder_encode failed", transcoder.ErrEncode)
	}
	return int(n), isKey != 0, nil
}

// SetBitrate implements transcoder.EncoderCore with x264_encoder_reconfig.
func (c core) SetBitrate(kbps int) error {
	if C.mg_x264_set_bitrate(c.e, C.int(kbps)) < 0 {
		return fmt.Errorf("%w: x264_encoder_reconfig failed", transcoder.ErrEncode)
	}
	return nil
}

// Close implements transcoder.EncoderCore.
func (c core) Close() { C.mg_x264_close(c.e) }
