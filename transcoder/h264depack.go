package transcoder

import (
	"fmt"

	"github.com/pion/rtp"
)

// startCode begins every NAL unit of an Annex B access unit (H.264 §B.1).
var startCode = []byte{0, 0, 0, 1}

// h264Depacketizer reassembles H.264 access units from RTP in
// packetization mode 0 or 1 (RFC 6184 §5.6 single NAL unit packets, §5.7.1
// STAP-A, §5.8 FU-A) into Annex B. Interleaved mode (STAP-B, MTAP, FU-B) is
// refused as malformed.
type h264Depacketizer struct {
	frameAssembler
	sprop   [][]byte // out-of-band SPS and PPS, inserted before IDRs lacking them
	inFU    bool     // an FU-A fragment sequence is open
	hasSPS  bool     // the open access unit carries an SPS
	fuStart int      // offset in buf of the open FU-A's NAL unit
}

// Push implements Depacketizer.
func (d *h264Depacketizer) Push(h *rtp.Header, payload []byte, emit func(*AccessUnit)) {
	ok, gap := d.accept(h)
	if !ok {
		return
	}
	if len(payload) < 1 {
		d.next(h.Timestamp, gap, false, emit)
		d.damage(fmt.Errorf("%w: empty H.264 payload", ErrMalformed))
	} else {
		if newAU := !d.open || d.au.PTS != h.Timestamp; newAU {
			d.inFU, d.hasSPS = false, false
		}
		d.next(h.Timestamp, gap, h264StartsAU(payload), emit)
		if gap {
			d.inFU = false
		}
		d.payload(payload)
	}
	if h.Marker {
		d.finish(emit)
	}
}

// payload adds one RTP payload's NAL units to the open access unit.
func (d *h264Depacketizer) payload(p []byte) {
	switch t := p[0] & 0x1f; {
	case t >= 1 && t <= 23:
		d.inFU = false
		d.nal(p)
	case t == nalSTAPA:
		d.inFU = false
		d.stapA(p[1:])
	case t == nalFUA:
		d.fuA(p)
	default:
		d.damage(fmt.Errorf("%w: H.264 packet type %d outside packetization mode 1", ErrMalformed, t))
	}
}

// nal appends one NAL unit and notes what it is.
func (d *h264Depacketizer) nal(n []byte) {
	if len(n) == 0 || n[0]&0x80 != 0 {
		d.damage(fmt.Errorf("%w: NAL unit empty or with forbidden_zero_bit", ErrMalformed))
		return
	}
	typ := n[0] & 0x1f
	if typ == nalIDR {
		d.keyframe()
	}
	d.append(startCode)
	at := len(d.buf)
	d.append(n)
	if typ == nalSPS && len(d.buf) == at+len(n) {
		d.hasSPS = true
		d.au.SPS = d.buf[at:]
	}
}

// keyframe marks the access unit as an IDR and, the first time, inserts the
// out-of-band parameter sets when it carries no SPS of its own.
func (d *h264Depacketizer) keyframe() {
	if d.au.Keyframe {
		return
	}
	d.au.Keyframe = true
	if d.hasSPS || len(d.sprop) == 0 {
		return
	}
	for _, ps := range d.sprop {
		if len(ps) > 0 && ps[0]&0x1f == nalSPS {
			d.au.SPS = ps
		}
		d.append(startCode, ps)
	}
	d.hasSPS = true
}

// stapA appends every NAL unit of a STAP-A (RFC 6184 §5.7.1).
func (d *h264Depacketizer) stapA(p []byte) {
	for len(p) > 0 {
		if len(p) < 2 {
			d.damage(fmt.Errorf("%w: STAP-A truncated", ErrMalformed))
			return
		}
		n := int(p[0])<<8 | int(p[1])
		if n == 0 || n > len(p)-2 {
			d.damage(fmt.Errorf("%w: STAP-A unit of %d bytes in %d", ErrMalformed, n, len(p)-2))
			return
		}
		d.nal(p[2 : 2+n])
		p = p[2+n:]
	}
}

// fuA appends one fragment of an FU-A (RFC 6184 §5.8): the start rebuilds
// the NAL header from the FU indicator and header, later fragments continue
// it, and a fragment without an open start is damage.
func (d *h264Depacketizer) fuA(p []byte) {
	if len(p) < 3 {
		d.damage(fmt.Errorf("%w: FU-A of %d bytes", ErrMalformed, len(p)))
		return
	}
	start, end, typ := p[1]&0x80 != 0, p[1]&0x40 != 0, p[1]&0x1f
	switch {
	case start:
		d.inFU = true
		if typ == nalIDR {
			d.keyframe()
		}
		d.append(startCode)
		d.fuStart = len(d.buf)
		d.append([]byte{p[0]&0xe0 | typ}, p[2:])
	case d.inFU:
		d.append(p[2:])
	default:
		d.damage(fmt.Errorf("%w: FU-A fragment without its start", ErrMalformed))
		return
	}
	if end {
		d.inFU = false
		if typ == nalSPS && d.fuStart < len(d.buf) {
			d.hasSPS = true
			d.au.SPS = d.buf[d.fuStart:]
		}
	}
}

// h264StartsAU reports whether a payload evidently begins an access unit:
// an access unit delimiter, SEI, SPS or PPS first, or the first slice of a
// picture (first_mb_in_slice 0), whole or as the start of an FU-A.
func h264StartsAU(p []byte) bool {
	t := p[0] & 0x1f
	var nal []byte
	switch {
	case t == nalSTAPA && len(p) > 3:
		nal = p[3:]
	case t == nalFUA && len(p) > 2 && p[1]&0x80 != 0:
		nal = append([]byte{p[1] & 0x1f}, p[2:min(len(p), 8)]...)
	case t >= 1 && t <= 23:
		nal = p
	default:
		return false
	}
	switch nal[0] & 0x1f {
	case nalAUD, nalSEI, nalSPS, nalPPS:
		return true
	case nalSlice, nalIDR:
		// first_mb_in_slice is ue(v): 0 is the single bit 1.
		return len(nal) > 1 && nal[1]&0x80 != 0
	}
	return false
}
