//go:build cgo

package avdec

// #include "bridge.h"
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"mediagate.dev/mediagate/transcoder"
)

// maxAACFrame bounds one AAC access unit: 6144 bits per channel (ISO/IEC
// 14496-3 §4.5.3.1) for up to 8 channels, with room to spare.
const maxAACFrame = 8 << 10

// AudioDecoder is a libavcodec AAC decoder followed by libswresample.
type AudioDecoder struct {
	mu       sync.Mutex
	d        *C.mg_adec
	channels int
}

// NewAudioDecoder opens an AAC decoder from cfg.Config, or from the sample
// rate and channel count when Config is empty.
func NewAudioDecoder(cfg transcoder.AudioDecoderConfig) (*AudioDecoder, error) {
	quiet()
	if !transcoder.SameCodec(cfg.Codec, transcoder.AAC) {
		return nil, fmt.Errorf("%w: decode %s", transcoder.ErrUnsupported, cfg.Codec)
	}
	if len(cfg.Config) > 64 || (len(cfg.Config) == 0 && (cfg.SampleRate < 8000 || cfg.SampleRate > 96000 || cfg.Channels < 1 || cfg.Channels > 8)) {
		return nil, fmt.Errorf("%w: AAC config of %d bytes, %d Hz, %d channels",
			transcoder.ErrUnsupported, len(cfg.Config), cfg.SampleRate, cfg.Channels)
	}
	var asc *C.uint8_t
	if len(cfg.Config) > 0 {
		asc = (*C.uint8_t)(unsafe.Pointer(&cfg.Config[0]))
	}
	var cerr C.int
	d := C.mg_adec_open(asc, C.int(len(cfg.Config)), C.int(cfg.SampleRate), C.int(cfg.Channels), &cerr)
	if d == nil {
		return nil, fmt.Errorf("%w: open AAC decoder: %s", transcoder.ErrUnsupported, avError(cerr))
	}
	return &AudioDecoder{d: d, channels: int(C.mg_adec_channels(d))}, nil
}

// Channels implements transcoder.AudioDecoder: 1 or 2.
func (a *AudioDecoder) Channels() int { return a.channels }

// Decode implements transcoder.AudioDecoder with one call into libavcodec
// and libswresample.
func (a *AudioDecoder) Decode(au []byte) ([]int16, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.d == nil {
		return nil, transcoder.ErrClosed
	}
	if len(au) == 0 || len(au) > maxAACFrame {
		return nil, fmt.Errorf("%w: AAC frame of %d bytes", transcoder.ErrDecode, len(au))
	}
	var out *C.int16_t
	n := C.mg_adec_decode(a.d, (*C.uint8_t)(unsafe.Pointer(&au[0])), C.int(len(au)), &out)
	if n < 0 {
		return nil, fmt.Errorf("%w: %s", transcoder.ErrDecode, avError(n))
	}
	if n == 0 || out == nil {
		return nil, nil
	}
	return unsafe.Slice((*int16)(unsafe.Pointer(out)), int(n)*a.channels), nil
}

// Close releases the decoder. It is idempotent.
func (a *AudioDecoder) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.d != nil {
		C.mg_adec_close(a.d)
		a.d = nil
	}
	return nil
}
