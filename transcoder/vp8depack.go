package transcoder

import (
	"fmt"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/internal/codec"
)

// vp8Depacketizer reassembles VP8 frames from RTP (RFC 7741 §4); the
// payload descriptor is internal/codec's to parse.
type vp8Depacketizer struct {
	frameAssembler
	parsed bool // the open frame's header has been read
}

// Push implements Depacketizer.
func (d *vp8Depacketizer) Push(h *rtp.Header, payload []byte, emit func(*AccessUnit)) {
	ok, gap := d.accept(h)
	if !ok {
		return
	}
	desc, err := codec.ParseVP8Descriptor(payload)
	start := err == nil && desc.FrameStart()
	if !d.open || d.au.PTS != h.Timestamp {
		d.parsed = false
	}
	d.next(h.Timestamp, gap, start, emit)
	switch {
	case err != nil:
		d.damage(fmt.Errorf("%w: %w", ErrMalformed, err))
	case start && len(d.buf) > 0:
		d.damage(fmt.Errorf("%w: second start of a VP8 frame", ErrMalformed))
	case !start && len(d.buf) == 0:
		d.damage(fmt.Errorf("%w: VP8 frame without its first packet", ErrMalformed))
	default:
		d.append(payload[desc.Len:])
		if !d.parsed && len(d.buf) >= vp8KeyHeader {
			d.frameHeader(d.buf)
		}
	}
	if h.Marker {
		if !d.parsed && !d.au.Damaged {
			d.frameHeader(d.buf)
		}
		d.finish(emit)
	}
}

// vp8KeyHeader is the length of a key frame's header up to its size fields.
const vp8KeyHeader = 10

// frameHeader reads the key frame flag and, for a key frame, its size from
// the start of the frame (RFC 7741 §4.3; RFC 6386 §9.1).
func (d *vp8Depacketizer) frameHeader(f []byte) {
	d.parsed = true
	if len(f) < 3 {
		d.damage(fmt.Errorf("%w: VP8 frame header truncated", ErrMalformed))
		return
	}
	if f[0]&0x01 != 0 { // P bit set: an inter frame
		return
	}
	if len(f) < vp8KeyHeader || f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a {
		d.damage(fmt.Errorf("%w: VP8 key frame without its start code", ErrMalformed))
		return
	}
	d.au.Keyframe = true
	d.au.Width = int(f[6]) | int(f[7]&0x3f)<<8
	d.au.Height = int(f[8]) | int(f[9]&0x3f)<<8
}
