//go:build cgo

package x264enc

// #cgo pkg-config: x264
// #include "bridge.h"
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"mediagate.dev/mediagate/transcoder"
)

// Encoder is a libx264 H.264 encoder.
type Encoder struct {
	mu      sync.Mutex
	e       *C.mg_x264
	cfg     transcoder.VideoEncoderConfig
	clock   transcoder.PTSClock
	nominal int64
	out     []byte
	bitrate int
	applied int
}

// New opens an H.264 constrained-baseline encoder for cfg.
func New(cfg transcoder.VideoEncoderConfig) (*Encoder, error) {
	if !transcoder.SameCodec(cfg.Codec, transcoder.H264) {
		return nil, fmt.Errorf("%w: x264enc encodes H.264, not %s", transcoder.ErrUnsupported, cfg.Codec)
	}
	cfg = transcoder.EncoderDefaults(cfg)
	if err := transcoder.CheckSize(cfg.Width, cfg.Height, cfg.MaxPixels); err != nil {
		return nil, err
	}
	if cfg.Width%2 != 0 || cfg.Height%2 != 0 {
		return nil, fmt.Errorf("%w: 4:2:0 needs even sides, not %dx%d", transcoder.ErrEncode, cfg.Width, cfg.Height)
	}
	e := C.mg_x264_open(C.int(cfg.Width), C.int(cfg.Height), C.int(cfg.FPS), C.int(kbps(cfg.Bitrate)), C.int(cfg.KeyframeInterval))
	if e == nil {
		return nil, fmt.Errorf("%w: x264_encoder_open failed", transcoder.ErrEncode)
	}
	return &Encoder{
		e: e, cfg: cfg, nominal: int64(transcoder.VideoClockRate / cfg.FPS),
		out:     make([]byte, transcoder.MaxEncodedFrame(cfg.Width, cfg.Height)),
		bitrate: cfg.Bitrate, applied: cfg.Bitrate,
	}, nil
}

func kbps(bps int) int { return max(1, (bps+500)/1000) }

// Encode implements transcoder.VideoEncoder with one call into libx264.
// zerolatency keeps no picture back, so every call returns its picture.
func (x *Encoder) Encode(p *transcoder.Picture, keyframe bool) (transcoder.EncodedFrame, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.e == nil {
		return transcoder.EncodedFrame{}, transcoder.ErrClosed
	}
	if p.Width != x.cfg.Width || p.Height != x.cfg.Height {
		return transcoder.EncodedFrame{}, fmt.Errorf("%w: %dx%d picture for a %dx%d encoder",
			transcoder.ErrEncode, p.Width, p.Height, x.cfg.Width, x.cfg.Height)
	}
	if err := p.Check(x.cfg.MaxPixels); err != nil {
		return transcoder.EncodedFrame{}, err
	}
	if err := x.applyBitrate(); err != nil {
		return transcoder.EncodedFrame{}, err
	}
	force := C.int(0)
	if keyframe {
		force = 1
	}
	var isKey C.int
	n := C.mg_x264_encode(x.e,
		(*C.uint8_t)(unsafe.Pointer(&p.Planes[0][0])), (*C.uint8_t)(unsafe.Pointer(&p.Planes[1][0])),
		(*C.uint8_t)(unsafe.Pointer(&p.Planes[2][0])),
		C.int(p.Strides[0]), C.int(p.Strides[1]), C.int(p.Strides[2]),
		C.int64_t(x.clock.Next(p.PTS, x.nominal)), force,
		(*C.uint8_t)(unsafe.Pointer(&x.out[0])), C.int(len(x.out)), &isKey)
	if n < 0 {
		return transcoder.EncodedFrame{}, fmt.Errorf("%w: x264_encoder_encode failed", transcoder.ErrEncode)
	}
	return transcoder.EncodedFrame{Data: x.out[:n], Keyframe: isKey != 0, PTS: p.PTS}, nil
}

// SetBitrate implements transcoder.VideoEncoder; the next Encode applies it
// with x264_encoder_reconfig.
func (x *Encoder) SetBitrate(bps int) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.e == nil {
		return transcoder.ErrClosed
	}
	x.bitrate = bps
	return nil
}

func (x *Encoder) applyBitrate() error {
	if x.bitrate == x.applied {
		return nil
	}
	if C.mg_x264_set_bitrate(x.e, C.int(kbps(x.bitrate))) < 0 {
		return fmt.Errorf("%w: x264_encoder_reconfig failed", transcoder.ErrEncode)
	}
	x.applied = x.bitrate
	return nil
}

// Close releases the encoder. It is idempotent.
func (x *Encoder) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.e != nil {
		C.mg_x264_close(x.e)
		x.e = nil
	}
	return nil
}
