//go:build cgo

package vpxenc

// #cgo pkg-config: vpx
// #include "bridge.h"
import "C"

import (
	"fmt"
	"unsafe"

	"mediagate.dev/mediagate/transcoder"
)

// Encoder is a libvpx VP8 encoder. Encode makes one call into libvpx;
// SetBitrate takes effect on the next Encode through
// vpx_codec_enc_config_set.
type Encoder struct{ *transcoder.CoreEncoder }

// New opens a VP8 encoder for cfg.
func New(cfg transcoder.VideoEncoderConfig) (*Encoder, error) {
	cfg, err := transcoder.CheckEncoderConfig("vpxenc", transcoder.VP8, cfg)
	if err != nil {
		return nil, err
	}
	var cerr C.int
	e := C.mg_vpx_open(C.int(cfg.Width), C.int(cfg.Height), C.int(cfg.FPS), C.int(transcoder.Kbps(cfg.Bitrate)),
		C.int(cfg.KeyframeInterval), C.int(CPUUsed), &cerr)
	if e == nil {
		return nil, fmt.Errorf("%w: vpx_codec_enc_init: error %d", transcoder.ErrEncode, int(cerr))
	}
	return &Encoder{transcoder.NewCoreEncoder(cfg, core{e})}, nil
}

// CPUUsed is libvpx's speed setting for real time (VP8E_SET_CPUUSED): 8
// encodes 720p30 on well under one core of a current x86 server while
// keeping most of the quality of slower settings.
const CPUUsed = 8

// core is the libvpx half of an Encoder: a transcoder.EncoderCore, used
// under the CoreEncoder's mutex.
type core struct{ e *C.mg_vpx }

// Encode implements transcoder.EncoderCore with vpx_codec_encode, which
// takes the picture's duration for rate control.
func (c core) Encode(p *transcoder.Picture, pts, duration int64, keyframe bool, out []byte) (int, bool, error) {
	force := C.int(0)
	if keyframe {
		force = 1
	}
	var isKey C.int
	n := C.mg_vpx_encode(c.e,
		(*C.uint8_t)(unsafe.Pointer(&p.Planes[0][0])), (*C.uint8_t)(unsafe.Pointer(&p.Planes[1][0])),
		(*C.uint8_t)(unsafe.Pointer(&p.Planes[2][0])),
		C.int(p.Strides[0]), C.int(p.Strides[1]), C.int(p.Strides[2]),
		C.int64_t(pts), C.int64_t(duration), force,
		(*C.uint8_t)(unsafe.Pointer(&out[0])), C.int(len(out)), &isKey)
	if n < 0 {
		return 0, false, fmt.Errorf("%w: vpx_codec_encode: %s", transcoder.ErrEncode, C.GoString(C.mg_vpx_error(c.e)))
	}
	return int(n), isKey != 0, nil
}

// SetBitrate implements transcoder.EncoderCore with
// vpx_codec_enc_config_set (libavcodec's libvpx wrapper would ignore a
// change).
func (c core) SetBitrate(kbps int) error {
	if C.mg_vpx_set_bitrate(c.e, C.int(kbps)) != 0 {
		return fmt.Errorf("%w: vpx_codec_enc_config_set: %s", transcoder.ErrEncode, C.GoString(C.mg_vpx_error(c.e)))
	}
	return nil
}

// Close implements transcoder.EncoderCore.
func (c core) Close() { C.mg_vpx_close(c.e) }
