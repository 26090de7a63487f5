//go:build cgo

package opusenc

// #cgo pkg-config: opus
// #include <opus/opus.h>
//
// // opus_encoder_ctl is variadic, which cgo cannot call: these wrap the
// // requests used here.
// static int mg_opus_set_bitrate(OpusEncoder *e, int bps) { return opus_encoder_ctl(e, OPUS_SET_BITRATE(bps)); }
// static int mg_opus_setup(OpusEncoder *e, int bps) {
//	int err = opus_encoder_ctl(e, OPUS_SET_BITRATE(bps));
//	if (err == OPUS_OK) err = opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1));
//	if (err == OPUS_OK) err = opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(5));
//	if (err == OPUS_OK) err = opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(8));
//	return err;
// }
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"mediagate.dev/mediagate/transcoder"
)

// FrameSize is 20 ms at 48 kHz, the frame WebRTC sends.
const FrameSize = 960

// maxPacket is the largest Opus packet (RFC 6716 §3.2.1 bounds a frame at
// 1275 bytes; a 20 ms packet holds one).
const maxPacket = 1500

// Encoder is a libopus encoder at 48 kHz.
type Encoder struct {
	mu       sync.Mutex
	e        *C.OpusEncoder
	channels int
	out      []byte
}

// New opens an Opus encoder for cfg: 48 kHz, 20 ms frames, in-band FEC.
func New(cfg transcoder.AudioEncoderConfig) (*Encoder, error) {
	if !transcoder.SameCodec(cfg.Codec, transcoder.Opus) {
		return nil, fmt.Errorf("%w: opusenc encodes Opus, not %s", transcoder.ErrUnsupported, cfg.Codec)
	}
	if cfg.Channels != 1 && cfg.Channels != 2 {
		return nil, fmt.Errorf("%w: %d channels", transcoder.ErrUnsupported, cfg.Channels)
	}
	bps := cfg.Bitrate
	if bps <= 0 {
		bps = 32000 * cfg.Channels
	}
	var cerr C.int
	e := C.opus_encoder_create(transcoder.OpusClockRate, C.int(cfg.Channels), C.OPUS_APPLICATION_AUDIO, &cerr)
	if e == nil || cerr != C.OPUS_OK {
		return nil, fmt.Errorf("%w: opus_encoder_create: %s", transcoder.ErrEncode, C.GoString(C.opus_strerror(cerr)))
	}
	if err := C.mg_opus_setup(e, C.int(bps)); err != C.OPUS_OK {
		C.opus_encoder_destroy(e)
		return nil, fmt.Errorf("%w: opus_encoder_ctl: %s", transcoder.ErrEncode, C.GoString(C.opus_strerror(err)))
	}
	return &Encoder{e: e, channels: cfg.Channels, out: make([]byte, maxPacket)}, nil
}

// FrameSize implements transcoder.AudioEncoder.
func (o *Encoder) FrameSize() int { return FrameSize }

// Encode implements transcoder.AudioEncoder with one call into libopus.
func (o *Encoder) Encode(pcm []int16) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.e == nil {
		return nil, transcoder.ErrClosed
	}
	if len(pcm) != FrameSize*o.channels {
		return nil, fmt.Errorf("%w: %d samples, want %d", transcoder.ErrEncode, len(pcm), FrameSize*o.channels)
	}
	n := C.opus_encode(o.e, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), FrameSize,
		(*C.uchar)(unsafe.Pointer(&o.out[0])), C.opus_int32(len(o.out)))
	if n < 0 {
		return nil, fmt.Errorf("%w: opus_encode: %s", transcoder.ErrEncode, C.GoString(C.opus_strerror(C.int(n))))
	}
	return o.out[:n], nil
}

// SetBitrate implements transcoder.AudioEncoder.
func (o *Encoder) SetBitrate(bps int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.e == nil {
		return transcoder.ErrClosed
	}
	if err := C.mg_opus_set_bitrate(o.e, C.int(bps)); err != C.OPUS_OK {
		return fmt.Errorf("%w: opus bitrate %d: %s", transcoder.ErrEncode, bps, C.GoString(C.opus_strerror(err)))
	}
	return nil
}

// Close releases the encoder. It is idempotent.
func (o *Encoder) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.e != nil {
		C.opus_encoder_destroy(o.e)
		o.e = nil
	}
	return nil
}
