package transcoder

import (
	"fmt"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/internal/codec"
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

// payload adds one RTP payload's NAL units to the open access unit: the
// fragment of an FU-A, or the whole units internal/codec's walker finds in
// a single NAL unit packet or a STAP-A.
func (d *h264Depacketizer) payload(p []byte) {
	if codec.H264NALType(p[0]) == codec.H264FUA {
		d.fuA(p)
		return
	}
	d.inFU = false
	err := codec.WalkH264NALs(p, func(n []byte) bool {
		d.nal(n)
		return true
	})
	if err != nil {
		d.damage(fmt.Errorf("%w: %w", ErrMalformed, err))
	}
}

// nal appends one NAL unit and notes what it is.
func (d *h264Depacketizer) nal(n []byte) {
	if len(n) == 0 || n[0]&0x80 != 0 {
		d.damage(fmt.Errorf("%w: NAL unit empty or with forbidden_zero_bit", ErrMalformed))
		return
	}
	typ := codec.H264NALType(n[0])
	if typ == codec.H264IDR {
		d.keyframe()
	}
	d.append(startCode)
	at := len(d.buf)
	d.append(n)
	if typ == codec.H264SPS && len(d.buf) == at+len(n) {
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
		if len(ps) > 0 && codec.H264NALType(ps[0]) == codec.H264SPS {
			d.au.SPS = ps
		}
		d.append(startCode, ps)
	}
	d.hasSPS = true
}

// fuA appends one fragment of an FU-A (RFC 6184 §5.8): the start rebuilds
// the NAL header from the FU indicator and header, later fragments continue
// it, and a fragment without an open start is damage.
func (d *h264Depacketizer) fuA(p []byte) {
	fu, err := codec.ParseH264FUA(p)
	if err != nil || len(fu.Data) == 0 {
		d.damage(fmt.Errorf("%w: FU-A of %d bytes", ErrMalformed, len(p)))
		return
	}
	switch {
	case fu.Start:
		d.inFU = true
		if fu.Type() == codec.H264IDR {
			d.keyframe()
		}
		d.append(startCode)
		d.fuStart = len(d.buf)
		d.append([]byte{fu.Header}, fu.Data)
	case d.inFU:
		d.append(fu.Data)
	default:
		d.damage(fmt.Errorf("%w: FU-A fragment without its start", ErrMalformed))
		return
	}
	if fu.End {
		d.inFU = false
		if fu.Type() == codec.H264SPS && d.fuStart < len(d.buf) {
			d.hasSPS = true
			d.au.SPS = d.buf[d.fuStart:]
		}
	}
}

// h264StartsAU reports whether a payload evidently begins an access unit:
// an access unit delimiter, SEI, SPS or PPS first, or the first slice of a
// picture (first_mb_in_slice 0), whole (alone or first in a STAP-A) or as
// the start of an FU-A.
func h264StartsAU(p []byte) bool {
	var nal []byte
	if codec.H264NALType(p[0]) == codec.H264FUA {
		if fu, err := codec.ParseH264FUA(p); err == nil && fu.Start && len(fu.Data) > 0 {
			nal = fu.NALHead(6)
		}
	} else {
		_ = codec.WalkH264NALs(p, func(n []byte) bool {
			nal = n
			return false
		})
	}
	if len(nal) == 0 {
		return false
	}
	switch codec.H264NALType(nal[0]) {
	case codec.H264AUD, codec.H264SEI, codec.H264SPS, codec.H264PPS:
		return true
	case codec.H264Slice, codec.H264IDR:
		// first_mb_in_slice is ue(v): 0 is the single bit 1.
		return len(nal) > 1 && nal[1]&0x80 != 0
	}
	return false
}
