package codec

import "fmt"

// VP8 payload descriptor bits (RFC 7741 §4.2): the first byte's X, S and
// PID, and the extension byte's I, L, T and K; M is the PictureID's first
// bit.
const (
	vp8X       = 0x80
	vp8S       = 0x10
	vp8PID     = 0x07
	vp8I       = 0x80
	vp8L       = 0x40
	vp8TK      = 0x30
	vp8M       = 0x80
	vp8NonKeyP = 0x01 // the P bit of the VP8 payload header (§4.3)
)

// VP8Descriptor is the VP8 payload descriptor at the start of an RTP
// payload (RFC 7741 §4.2), as much of it as mediagate reads.
type VP8Descriptor struct {
	// Len is the descriptor's length in bytes: the VP8 payload starts there.
	Len int
	// Start is the S bit: the packet begins a VP8 partition.
	Start bool
	// PartitionIndex is PID, the partition the packet belongs to.
	PartitionIndex uint8
}

// FrameStart reports whether the packet begins a frame: it starts
// partition 0.
func (d VP8Descriptor) FrameStart() bool { return d.Start && d.PartitionIndex == 0 }

// ParseVP8Descriptor parses the VP8 payload descriptor at the start of p
// (RFC 7741 §4.2): the mandatory byte, then the extension byte and the
// PictureID, TL0PICIDX and TID/Y/KEYIDX bytes it announces. It returns an
// error wrapping ErrMalformedPayload when p is empty, ends inside the
// descriptor or holds no VP8 payload after it. It is the one VP8
// descriptor parser of the project.
func ParseVP8Descriptor(p []byte) (VP8Descriptor, error) {
	if len(p) == 0 {
		return VP8Descriptor{}, fmt.Errorf("%w: empty VP8 payload", ErrMalformedPayload)
	}
	n := 1
	if p[0]&vp8X != 0 {
		if len(p) < 2 {
			return VP8Descriptor{}, fmt.Errorf("%w: VP8 descriptor truncated", ErrMalformedPayload)
		}
		x := p[1]
		n = 2
		if x&vp8I != 0 { // PictureID, 7 or 15 bits
			if len(p) > n && p[n]&vp8M != 0 {
				n++
			}
			n++
		}
		if x&vp8L != 0 {
			n++
		}
		if x&vp8TK != 0 {
			n++
		}
	}
	if n >= len(p) {
		return VP8Descriptor{}, fmt.Errorf("%w: VP8 payload with no frame data", ErrMalformedPayload)
	}
	return VP8Descriptor{Len: n, Start: p[0]&vp8S != 0, PartitionIndex: p[0] & vp8PID}, nil
}
