package codec

import "fmt"

// maxSTAPUnit is the largest unit a STAP-A size field can describe.
const maxSTAPUnit = 0xffff

// WalkH264NALs calls fn with each whole NAL unit an H.264 RTP payload
// carries, in order, until fn returns false: the payload itself for a
// single NAL unit packet (types 1 to 23, RFC 6184 §5.6), or each unit of a
// STAP-A (§5.7.1), capped at its 16-bit size. The units alias p.
//
// A STAP-A whose size fields do not fit the payload, or that aggregates an
// empty unit, returns an error wrapping ErrMalformedPayload once fn has seen
// the units before the damage. Any other packet type returns such an error
// without calling fn: an FU-A carries a fragment, not a whole unit (see
// ParseH264FUA), and STAP-B, MTAP and FU-B belong to the interleaved mode
// mediagate does not take.
func WalkH264NALs(p []byte, fn func(nal []byte) bool) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: empty H.264 payload", ErrMalformedPayload)
	}
	switch t := H264NALType(p[0]); {
	case t >= 1 && t <= 23:
		fn(p)
		return nil
	case t == H264STAPA:
		return walkAggregated(p[1:], 1, "STAP-A", fn)
	default:
		return fmt.Errorf("%w: H.264 packet type %d outside packetization mode 1", ErrMalformedPayload, t)
	}
}

// walkAggregated calls fn with each unit of an aggregation packet's
// payload after its header: a 16-bit size, then that many bytes, at least
// minUnit (an H.264 STAP-A, RFC 6184 §5.7.1; an H.265 aggregation packet
// without DONL, RFC 7798 §4.4.2). what names the packet in errors.
func walkAggregated(p []byte, minUnit int, what string, fn func(nal []byte) bool) error {
	for len(p) > 0 {
		if len(p) < 2 {
			return fmt.Errorf("%w: %s truncated", ErrMalformedPayload, what)
		}
		n := int(p[0])<<8 | int(p[1])
		if n < minUnit || n > len(p)-2 {
			return fmt.Errorf("%w: %s unit of %d bytes in %d", ErrMalformedPayload, what, n, len(p)-2)
		}
		if !fn(p[2 : 2+n : 2+n]) {
			return nil
		}
		p = p[2+n:]
	}
	return nil
}

// H264FU is one fragment of an H.264 NAL unit carried in an FU-A
// (RFC 6184 §5.8).
type H264FU struct {
	// Start and End are the FU header's S and E bits: the fragment begins,
	// or ends, its NAL unit.
	Start, End bool
	// Header is the header byte of the fragmented NAL unit: F and NRI from
	// the FU indicator, the type from the FU header.
	Header byte
	// Data is the fragment after the FU indicator and FU header; it aliases
	// the payload and may be empty.
	Data []byte
}

// Type returns the nal_unit_type of the fragmented NAL unit.
func (f H264FU) Type() uint8 { return H264NALType(f.Header) }

// NALHead returns the start of the fragmented NAL unit that a starting
// fragment holds: its rebuilt header byte and at most n bytes of Data,
// in a new slice, enough to read the first fields of a slice header.
func (f H264FU) NALHead(n int) []byte {
	head := make([]byte, 0, 1+min(len(f.Data), n))
	head = append(head, f.Header)
	return append(head, f.Data[:min(len(f.Data), n)]...)
}

// ParseH264FUA parses the FU indicator and FU header at the start of an
// FU-A payload (RFC 6184 §5.8). It returns an error wrapping
// ErrMalformedPayload when p is not an FU-A or ends before its FU header.
// It is the one FU-A parser of the project.
func ParseH264FUA(p []byte) (H264FU, error) {
	switch {
	case len(p) == 0 || H264NALType(p[0]) != H264FUA:
		return H264FU{}, fmt.Errorf("%w: not an FU-A", ErrMalformedPayload)
	case len(p) < 2:
		return H264FU{}, fmt.Errorf("%w: FU-A of %d bytes", ErrMalformedPayload, len(p))
	}
	return H264FU{
		Start:  p[1]&0x80 != 0,
		End:    p[1]&0x40 != 0,
		Header: p[0]&(nalFBit|nalNRIMask) | H264NALType(p[1]),
		Data:   p[2:],
	}, nil
}

// BuildSTAPA aggregates NAL units into one STAP-A payload (RFC 6184 §5.7.1):
// a STAP-A NAL header whose F bit is the OR of the units' F bits and whose
// NRI is their maximum, then each unit preceded by its 16-bit size. It
// returns nil when no unit is given or a unit is empty or longer than 65535
// bytes.
func BuildSTAPA(nalus ...[]byte) []byte {
	if len(nalus) == 0 {
		return nil
	}
	size := 1
	var f, nri byte
	for _, n := range nalus {
		if len(n) == 0 || len(n) > maxSTAPUnit {
			return nil
		}
		size += 2 + len(n)
		f |= n[0] & nalFBit
		nri = max(nri, n[0]&nalNRIMask)
	}
	out := make([]byte, 0, size)
	out = append(out, f|nri|H264STAPA)
	for _, n := range nalus {
		out = append(out, byte(len(n)>>8), byte(len(n)))
		out = append(out, n...)
	}
	return out
}

// PayloadSPS returns the SPS NAL unit an H.264 RTP payload carries, either as
// a single NAL unit packet or inside a STAP-A (RFC 6184 §5.6, §5.7.1), or nil.
// The result aliases payload. Fragmented SPS units are not reassembled.
// It runs for every packet a viewer is sent: a fragment or a slice is
// answered from its first byte, without walking or building an error.
func PayloadSPS(payload []byte) []byte {
	if len(payload) == 0 {
		return nil
	}
	switch H264NALType(payload[0]) {
	case H264SPS:
		return payload
	case H264STAPA:
	default:
		return nil
	}
	var sps []byte
	_ = walkAggregated(payload[1:], 1, "STAP-A", func(nal []byte) bool {
		if H264NALType(nal[0]) == H264SPS {
			sps = nal
			return false
		}
		return true
	})
	return sps
}
