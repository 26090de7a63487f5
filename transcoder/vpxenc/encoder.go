//go:build cgo

package vpxenc

// #cgo pkg-config: vpx
// #include "bridge.h"
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"mediagate.dev/mediagate/transcoder"
)

// Encoder is a libvpx VP8 encoder.
type Encoder struct {
	mu      sync.Mutex
	e       *C.mg_vpx
	cfg     transcoder.VideoEncoderConfig
	clock   transcoder.PTSClock
	nominal int64 // one frame at cfg.FPS, in 90 kHz ticks
	lastPTS int64
	started bool
	out     []byte
	bitrate int // bits per second asked for
	applied int // bits per second the encoder runs at
}

// New opens a VP8 encoder for cfg.
func New(cfg transcoder.VideoEncoderConfig) (*Encoder, error) {
	if !transcoder.SameCodec(cfg.Codec, transcoder.VP8) {
		return nil, fmt.Errorf("%w: vpxenc encodes VP8, not %s", transcoder.ErrUnsupported, cfg.Codec)
	}
	cfg = transcoder.EncoderDefaults(cfg)
	if err := transcoder.CheckSize(cfg.Width, cfg.Height, cfg.MaxPixels); err != nil {
		return nil, err
	}
	var cerr C.int
	e := C.mg_vpx_open(C.int(cfg.Width), C.int(cfg.Height), C.int(cfg.FPS), C.int(kbps(cfg.Bitrate)),
		C.int(cfg.KeyframeInterval), C.int(CPUUsed), &cerr)
	if e == nil {
		return nil, fmt.Errorf("%w: vpx_codec_enc_init: error %d", transcoder.ErrEncode, int(cerr))
	}
	return &Encoder{
		e: e, cfg: cfg, nominal: int64(transcoder.VideoClockRate / cfg.FPS),
		out:     make([]byte, transcoder.MaxEncodedFrame(cfg.Width, cfg.Height)),
		bitrate: cfg.Bitrate, applied: cfg.Bitrate,
	}, nil
}

// CPUUsed is libvpx's speed setting for real time (VP8E_SET_CPUUSED): 8
// encodes 720p30 on well under one core of a current x86 server while
// keeping most of the quality of slower settings.
const CPUUsed = 8

func kbps(bps int) int { return max(1, (bps+500)/1000) }

// Encode implements transcoder.VideoEncoder with one call into libvpx.
func (v *Encoder) Encode(p *transcoder.Picture, keyframe bool) (transcoder.EncodedFrame, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.e == nil {
		return transcoder.EncodedFrame{}, transcoder.ErrClosed
	}
	if p.Width != v.cfg.Width || p.Height != v.cfg.Height {
		return transcoder.EncodedFrame{}, fmt.Errorf("%w: %dx%d picture for a %dx%d encoder",
			transcoder.ErrEncode, p.Width, p.Height, v.cfg.Width, v.cfg.Height)
	}
	if err := p.Check(v.cfg.MaxPixels); err != nil {
		return transcoder.EncodedFrame{}, err
	}
	if err := v.applyBitrate(); err != nil {
		return transcoder.EncodedFrame{}, err
	}
	pts := v.clock.Next(p.PTS, v.nominal)
	duration := v.nominal
	if v.started && pts > v.lastPTS {
		duration = pts - v.lastPTS
	}
	v.started, v.lastPTS = true, pts
	force := C.int(0)
	if keyframe {
		force = 1
	}
	var isKey C.int
	n := C.mg_vpx_encode(v.e,
		(*C.uint8_t)(unsafe.Pointer(&p.Planes[0][0])), (*C.uint8_t)(unsafe.Pointer(&p.Planes[1][0])),
		(*C.uint8_t)(unsafe.Pointer(&p.Planes[2][0])),
		C.int(p.Strides[0]), C.int(p.Strides[1]), C.int(p.Strides[2]),
		C.int64_t(pts), C.int64_t(duration), force,
		(*C.uint8_t)(unsafe.Pointer(&v.out[0])), C.int(len(v.out)), &isKey)
	if n < 0 {
		return transcoder.EncodedFrame{}, fmt.Errorf("%w: vpx_codec_encode: %s", transcoder.ErrEncode, C.GoString(C.mg_vpx_error(v.e)))
	}
	return transcoder.EncodedFrame{Data: v.out[:n], Keyframe: isKey != 0, PTS: p.PTS}, nil
}

// SetBitrate implements transcoder.VideoEncoder; the next Encode applies it
// with vpx_codec_enc_config_set.
func (v *Encoder) SetBitrate(bps int) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.e == nil {
		return transcoder.ErrClosed
	}
	v.bitrate = bps
	return nil
}

func (v *Encoder) applyBitrate() error {
	if v.bitrate == v.applied {
		return nil
	}
	if C.mg_vpx_set_bitrate(v.e, C.int(kbps(v.bitrate))) != 0 {
		return fmt.Errorf("%w: vpx_codec_enc_config_set: %s", transcoder.ErrEncode, C.GoString(C.mg_vpx_error(v.e)))
	}
	v.applied = v.bitrate
	return nil
}

// Close releases the encoder. It is idempotent.
func (v *Encoder) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.e != nil {
		C.mg_vpx_close(v.e)
		v.e = nil
	}
	return nil
}
