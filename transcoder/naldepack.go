package transcoder

import (
	"fmt"

	"github.com/pion/rtp"
)

// startCode begins every NAL unit of an Annex B access unit (H.264 §B.1,
// H.265 §B.2).
var startCode = []byte{0, 0, 0, 1}

// nalFragment is one fragment of a NAL unit, as an H.264 FU-A or an H.265
// fragmentation unit carries it.
type nalFragment struct {
	start, end bool
	header     []byte // the fragmented NAL unit's rebuilt header
	data       []byte
}

// nalSyntax is what the NAL-unit depacketizer needs of an H.26x RTP
// payload format; internal/codec parses every structure (h264syntax.go,
// h265syntax.go).
type nalSyntax interface {
	// name is the codec's name in errors.
	name() string
	// isFragment reports whether a payload is a fragmentation unit.
	isFragment(p []byte) bool
	// fragment parses one.
	fragment(p []byte) (nalFragment, error)
	// walk yields the whole NAL units of any other payload.
	walk(p []byte, fn func(nal []byte) bool) error
	// keyframe reports a NAL unit header that starts a random-access
	// picture (an IDR slice; an IRAP slice).
	keyframe(header []byte) bool
	// isSPS reports a sequence parameter set's header.
	isSPS(header []byte) bool
	// startsAU reports whether a NAL unit (or a starting fragment's head)
	// evidently begins an access unit.
	startsAU(nal []byte) bool
}

// nalDepacketizer reassembles H.264 or H.265 access units from RTP into
// Annex B: single NAL unit packets, aggregation packets and fragmentation
// units (RFC 6184 §5.6 to §5.8 in packetization mode 0 or 1; RFC 7798
// §4.4 without DONL). Other packet types are refused as malformed. Every
// slice of a picture, however many, lands in the one access unit its RTP
// timestamp names; the decoder reorders B-frames.
type nalDepacketizer struct {
	frameAssembler
	syn     nalSyntax
	sprop   [][]byte // out-of-band parameter sets, inserted before keyframes lacking them
	inFU    bool     // a fragmented NAL unit is open
	hasSPS  bool     // the open access unit carries an SPS
	fuStart int      // offset in buf of the open fragmented NAL unit
	fuSPS   bool     // the open fragmented NAL unit is an SPS
}

// Push implements Depacketizer.
func (d *nalDepacketizer) Push(h *rtp.Header, payload []byte, emit func(*AccessUnit)) {
	ok, gap := d.accept(h)
	if !ok {
		return
	}
	if len(payload) < 1 {
		d.next(h.Timestamp, gap, false, emit)
		d.damage(fmt.Errorf("%w: empty %s payload", ErrMalformed, d.syn.name()))
	} else {
		if newAU := !d.open || d.au.PTS != h.Timestamp; newAU {
			d.inFU, d.hasSPS = false, false
		}
		d.next(h.Timestamp, gap, d.startsAU(payload), emit)
		if gap {
			d.inFU = false
		}
		d.payload(payload)
	}
	if h.Marker {
		d.finish(emit)
	}
}

// payload adds one RTP payload's NAL units to the open access unit: a
// fragment, or the whole units internal/codec's walker finds.
func (d *nalDepacketizer) payload(p []byte) {
	if d.syn.isFragment(p) {
		d.fragment(p)
		return
	}
	d.inFU = false
	err := d.syn.walk(p, func(n []byte) bool {
		d.nal(n)
		return true
	})
	if err != nil {
		d.damage(fmt.Errorf("%w: %w", ErrMalformed, err))
	}
}

// nal appends one NAL unit and notes what it is.
func (d *nalDepacketizer) nal(n []byte) {
	if len(n) == 0 || n[0]&0x80 != 0 {
		d.damage(fmt.Errorf("%w: NAL unit empty or with forbidden_zero_bit", ErrMalformed))
		return
	}
	if d.syn.keyframe(n) {
		d.keyframe()
	}
	d.append(startCode)
	at := len(d.buf)
	d.append(n)
	if d.syn.isSPS(n) && len(d.buf) == at+len(n) {
		d.hasSPS = true
		d.au.SPS = d.buf[at:]
	}
}

// keyframe marks the access unit as a keyframe and, the first time,
// inserts the out-of-band parameter sets when it carries no SPS of its
// own.
func (d *nalDepacketizer) keyframe() {
	if d.au.Keyframe {
		return
	}
	d.au.Keyframe = true
	if d.hasSPS || len(d.sprop) == 0 {
		return
	}
	for _, ps := range d.sprop {
		if len(ps) > 0 && d.syn.isSPS(ps) {
			d.au.SPS = ps
		}
		d.append(startCode, ps)
	}
	d.hasSPS = true
}

// fragment appends one fragment of a NAL unit: the start rebuilds its
// header, later fragments continue it, and a fragment without an open
// start is damage.
func (d *nalDepacketizer) fragment(p []byte) {
	fu, err := d.syn.fragment(p)
	if err != nil || len(fu.data) == 0 {
		d.damage(fmt.Errorf("%w: %s fragment of %d bytes", ErrMalformed, d.syn.name(), len(p)))
		return
	}
	switch {
	case fu.start:
		d.inFU = true
		if d.syn.keyframe(fu.header) {
			d.keyframe()
		}
		d.append(startCode)
		d.fuStart, d.fuSPS = len(d.buf), d.syn.isSPS(fu.header)
		d.append(fu.header, fu.data)
	case d.inFU:
		d.append(fu.data)
	default:
		d.damage(fmt.Errorf("%w: %s fragment without its start", ErrMalformed, d.syn.name()))
		return
	}
	if fu.end {
		d.inFU = false
		if d.fuSPS && d.fuStart < len(d.buf) {
			d.hasSPS = true
			d.au.SPS = d.buf[d.fuStart:]
		}
	}
}

// startsAU reports whether a payload evidently begins an access unit,
// from its first NAL unit, whole or the head of a starting fragment.
func (d *nalDepacketizer) startsAU(p []byte) bool {
	var nal []byte
	if d.syn.isFragment(p) {
		if fu, err := d.syn.fragment(p); err == nil && fu.start && len(fu.data) > 0 {
			nal = append(append(make([]byte, 0, len(fu.header)+6), fu.header...), fu.data[:min(len(fu.data), 6)]...)
		}
	} else {
		_ = d.syn.walk(p, func(n []byte) bool {
			nal = n
			return false
		})
	}
	return len(nal) > 0 && d.syn.startsAU(nal)
}
