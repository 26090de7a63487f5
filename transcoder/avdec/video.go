//go:build cgo

package avdec

// #cgo pkg-config: libavcodec libavutil libswscale libswresample
// #include <stdlib.h>
// #include "bridge.h"
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"mediagate.dev/mediagate/transcoder"
)

// VideoDecoder is a libavcodec H.264, H.265 (HEVC) or VP8 decoder.
type VideoDecoder struct {
	mu        sync.Mutex
	d         *C.mg_vdec
	maxPixels int
	pic       transcoder.Picture
}

// quiet silences FFmpeg's own logging, which would go to stderr: the
// transcoder counts and logs decode errors itself.
var quiet = sync.OnceFunc(func() { C.mg_av_quiet() })

// NewVideoDecoder opens a decoder for cfg.Codec.
func NewVideoDecoder(cfg transcoder.VideoDecoderConfig) (*VideoDecoder, error) {
	quiet()
	var id C.int
	switch {
	case transcoder.SameCodec(cfg.Codec, transcoder.H264):
		id = C.MG_VDEC_H264
	case transcoder.SameCodec(cfg.Codec, transcoder.H265):
		id = C.MG_VDEC_HEVC
	case transcoder.SameCodec(cfg.Codec, transcoder.VP8):
		id = C.MG_VDEC_VP8
	default:
		return nil, fmt.Errorf("%w: decode %s", transcoder.ErrUnsupported, cfg.Codec)
	}
	maxPixels := cfg.MaxPixels
	if maxPixels <= 0 {
		maxPixels = transcoder.DefaultMaxPixels
	}
	var cerr C.int
	d := C.mg_vdec_open(id, C.int(maxPixels), &cerr)
	if d == nil {
		return nil, fmt.Errorf("%w: open %s decoder: %s", transcoder.ErrUnavailable, cfg.Codec, avError(cerr))
	}
	return &VideoDecoder{d: d, maxPixels: maxPixels}, nil
}

// Decode implements transcoder.VideoDecoder with one call into libavcodec.
func (v *VideoDecoder) Decode(au []byte, pts uint32) (*transcoder.Picture, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.d == nil {
		return nil, transcoder.ErrClosed
	}
	if len(au) == 0 {
		return nil, fmt.Errorf("%w: empty access unit", transcoder.ErrDecode)
	}
	var out C.mg_picture
	ret := C.mg_vdec_decode(v.d, (*C.uint8_t)(unsafe.Pointer(&au[0])), C.int(len(au)), C.int64_t(pts), &out)
	switch {
	case ret < 0:
		return nil, fmt.Errorf("%w: %s", transcoder.ErrDecode, avError(ret))
	case ret == 0:
		return nil, nil
	}
	w, h := int(out.width), int(out.height)
	if err := transcoder.CheckSize(w, h, v.maxPixels); err != nil {
		return nil, fmt.Errorf("%w: %w", transcoder.ErrDecode, err)
	}
	v.pic = transcoder.Picture{Width: w, Height: h, PTS: uint32(out.pts)}
	for i := range 3 {
		rows := h
		if i > 0 {
			rows = (h + 1) / 2
		}
		stride := int(out.linesize[i])
		if stride <= 0 || out.data[i] == nil {
			return nil, fmt.Errorf("%w: plane %d missing", transcoder.ErrDecode, i)
		}
		v.pic.Planes[i] = unsafe.Slice((*byte)(unsafe.Pointer(out.data[i])), stride*rows)
		v.pic.Strides[i] = stride
	}
	return &v.pic, nil
}

// Close releases the decoder. It is idempotent.
func (v *VideoDecoder) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.d != nil {
		C.mg_vdec_close(v.d)
		v.d = nil
	}
	return nil
}

// avError renders an AVERROR code.
func avError(code C.int) string {
	return fmt.Sprintf("libavcodec error %d (%s)", int(code), fourCC(-int(code)))
}

// fourCC shows FFmpeg's tag errors (AVERROR_INVALIDDATA is "INDA") as text.
func fourCC(n int) string {
	if n < 1<<24 {
		return fmt.Sprintf("errno %d", n)
	}
	b := []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("code %#x", n)
		}
	}
	return string(b)
}
