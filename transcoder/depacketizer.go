package transcoder

import (
	"fmt"
	"strings"

	"github.com/pion/rtp"
)

// MaxAccessUnit bounds the size of one reassembled access unit; a larger one
// is dropped as damaged. 4 MiB holds any sane 4K key frame.
const MaxAccessUnit = 4 << 20

// AccessUnit is one coded picture (or AAC frame) reassembled from RTP.
type AccessUnit struct {
	// Data is the access unit: H.264 or H.265 in Annex B, a VP8 frame, a
	// raw AAC frame. It is valid until the next Push.
	Data []byte
	// PTS is its RTP timestamp.
	PTS uint32
	// Keyframe marks an access unit a decoder can start from.
	Keyframe bool
	// Damaged marks an access unit that lost a packet or held a malformed
	// one; it must not be decoded. Err says why.
	Damaged bool
	Err     error
	// SPS is the last H.264 or H.265 sequence parameter set in the access
	// unit, or nil; Width and Height are a VP8 key frame's size, or zero.
	SPS           []byte
	Width, Height int
}

// Depacketizer reassembles access units from one RTP stream whose packets
// arrive in order (ingest reorders and removes duplicates). A gap in the
// sequence numbers damages the access unit it falls in.
type Depacketizer interface {
	// Push adds one packet and calls emit for each access unit it
	// completes (a damaged one included). The AccessUnit is valid during
	// the call only.
	Push(h *rtp.Header, payload []byte, emit func(*AccessUnit))
}

// NewDepacketizer returns the depacketizer of a MIME type. parameterSets
// are H.264 SPS and PPS from sprop-parameter-sets, or H.265 VPS, SPS and
// PPS from sprop-vps/sps/pps, inserted before key frames that lack them;
// fmtp configures AAC (RFC 3640 §4.1).
func NewDepacketizer(mime string, parameterSets [][]byte, fmtp string) (Depacketizer, error) {
	switch {
	case SameCodec(mime, H264):
		return &nalDepacketizer{syn: h264Syntax{}, sprop: parameterSets}, nil
	case SameCodec(mime, H265):
		return &nalDepacketizer{syn: h265Syntax{}, sprop: parameterSets}, nil
	case SameCodec(mime, VP8):
		return &vp8Depacketizer{}, nil
	case SameCodec(mime, AAC):
		return newAACDepacketizer(fmtp)
	}
	return nil, fmt.Errorf("%w: depacketize %s", ErrUnsupported, mime)
}

// frameAssembler tracks the access unit under construction: its timestamp,
// the sequence numbers seen and whether a packet is missing.
type frameAssembler struct {
	au      AccessUnit
	buf     []byte
	open    bool   // an access unit is under construction
	started bool   // a packet was seen: lastSeq and ssrc are valid
	lastSeq uint16 // sequence number of the last packet accepted
	ssrc    uint32 // its SSRC
	probe   bool   // a packet far behind was seen: a restart if the next follows it
	badSeq  uint16 // that packet's sequence number
}

// maxMisorder is how far behind the newest packet a packet may be and
// still be a late one, after RFC 3550 §A.1; one further behind is a
// restart of the source if the next packet follows it.
const maxMisorder = 100

// accept checks h's sequence number: stale and duplicate packets are
// ignored (ok false). gap reports packets lost just before h, or a restart
// of the source (another SSRC, or numbering that started again far
// behind), after which the decoder waits for a keyframe.
func (f *frameAssembler) accept(h *rtp.Header) (ok, gap bool) {
	seq := h.SequenceNumber
	if f.started && h.SSRC == f.ssrc {
		d := seq - f.lastSeq
		switch {
		case d == 0 || uint16(f.lastSeq-seq) <= maxMisorder:
			return false, false // a duplicate, or late
		case d > 1<<15 && !(f.probe && seq == f.badSeq+1):
			f.probe, f.badSeq = true, seq
			return false, false
		}
		gap = d != 1
	} else if f.started {
		gap = true
	}
	f.started, f.lastSeq, f.ssrc, f.probe = true, seq, h.SSRC, false
	return true, gap
}

// next routes a packet with timestamp ts that followed a gap (or not): it
// completes the open access unit when ts starts another one (its last
// packet, with the marker, was lost), and opens one for ts if none is open.
// A gap damages the access unit it may have hit: the open one when ts
// continues it, else the new one, unless start proves that the packet
// begins it.
func (f *frameAssembler) next(ts uint32, gap, start bool, emit func(*AccessUnit)) {
	if f.open && f.au.PTS == ts {
		if gap {
			f.damage(fmt.Errorf("%w: packets lost", ErrMalformed))
		}
		return
	}
	if f.open {
		f.damage(fmt.Errorf("%w: access unit ended without its marker", ErrMalformed))
		f.finish(emit)
	}
	f.open = true
	f.buf = f.buf[:0]
	f.au = AccessUnit{PTS: ts}
	if gap && !start {
		f.damage(fmt.Errorf("%w: packets lost at the start of the access unit", ErrMalformed))
	}
}

func (f *frameAssembler) damage(err error) {
	if !f.au.Damaged {
		f.au.Damaged, f.au.Err = true, err
	}
}

// append adds bytes to the open access unit, damaging it past MaxAccessUnit.
func (f *frameAssembler) append(b ...[]byte) {
	for _, p := range b {
		if len(f.buf)+len(p) > MaxAccessUnit {
			f.damage(fmt.Errorf("%w: access unit over %d bytes", ErrTooLarge, MaxAccessUnit))
			return
		}
		f.buf = append(f.buf, p...)
	}
}

// finish emits the open access unit and closes it.
func (f *frameAssembler) finish(emit func(*AccessUnit)) {
	if !f.open {
		return
	}
	f.open = false
	f.au.Data = f.buf
	if f.au.Damaged {
		f.au.Data = nil
	}
	emit(&f.au)
}

// mimeKind returns "video" or "audio".
func mimeKind(mime string) string {
	kind, _, _ := strings.Cut(strings.ToLower(mime), "/")
	return kind
}
