package codec

import "fmt"

// WalkH265NALs calls fn with each whole NAL unit an H.265 RTP payload
// carries, in order, until fn returns false: the payload itself for a
// single NAL unit packet (types 0 to 47, RFC 7798 §4.4.1), or each unit of
// an aggregation packet (§4.4.2), capped at its 16-bit size. The units
// alias p. Payloads never carry DONL or DOND fields here: mediagate
// refuses sprop-max-don-diff > 0 (§7.1), so none can be present.
//
// An aggregation packet whose size fields do not fit the payload, or that
// holds a unit shorter than a NAL unit header, returns an error wrapping
// ErrMalformedPayload once fn has seen the units before the damage. Any
// other packet type returns such an error without calling fn: a
// fragmentation unit carries a fragment, not a whole unit (see
// ParseH265FU), and PACI packets are not taken.
func WalkH265NALs(p []byte, fn func(nal []byte) bool) error {
	if len(p) < H265NALHeaderLen {
		return fmt.Errorf("%w: H.265 payload of %d bytes", ErrMalformedPayload, len(p))
	}
	switch t := H265NALType(p[0]); {
	case t < H265AP:
		fn(p)
		return nil
	case t == H265AP:
		return walkAggregated(p[H265NALHeaderLen:], H265NALHeaderLen, "aggregation packet", fn)
	default:
		return fmt.Errorf("%w: H.265 packet type %d is not a single NAL unit or aggregation packet", ErrMalformedPayload, t)
	}
}

// H265Fragment is one fragment of an H.265 NAL unit carried in a fragmentation
// unit (RFC 7798 §4.4.3).
type H265Fragment struct {
	// Start and End are the FU header's S and E bits: the fragment begins,
	// or ends, its NAL unit.
	Start, End bool
	// Header is the two-byte header of the fragmented NAL unit: F, LayerId
	// and TID from the payload header, the type from the FU header.
	Header [H265NALHeaderLen]byte
	// Data is the fragment after the payload header and FU header; it
	// aliases the payload and may be empty.
	Data []byte
}

// Type returns the nal_unit_type of the fragmented NAL unit.
func (f H265Fragment) Type() uint8 { return H265NALType(f.Header[0]) }

// NALHead returns the start of the fragmented NAL unit that a starting
// fragment holds: its rebuilt header and at most n bytes of Data, in a new
// slice.
func (f H265Fragment) NALHead(n int) []byte {
	head := make([]byte, 0, H265NALHeaderLen+min(len(f.Data), n))
	head = append(head, f.Header[:]...)
	return append(head, f.Data[:min(len(f.Data), n)]...)
}

// ParseH265FU parses the payload header and FU header at the start of a
// fragmentation unit (RFC 7798 §4.4.3, without DONL). It returns an error
// wrapping ErrMalformedPayload when p is not a fragmentation unit or ends
// before its FU header, or when its FU header claims the fragment is both
// start and end (§4.4.3 forbids it).
func ParseH265FU(p []byte) (H265Fragment, error) {
	switch {
	case len(p) < H265NALHeaderLen || H265NALType(p[0]) != H265FU:
		return H265Fragment{}, fmt.Errorf("%w: not an H.265 fragmentation unit", ErrMalformedPayload)
	case len(p) < H265NALHeaderLen+1:
		return H265Fragment{}, fmt.Errorf("%w: fragmentation unit of %d bytes", ErrMalformedPayload, len(p))
	case p[2]&0xc0 == 0xc0:
		return H265Fragment{}, fmt.Errorf("%w: fragmentation unit with both S and E set", ErrMalformedPayload)
	}
	fuType := p[2] & 0x3f
	return H265Fragment{
		Start:  p[2]&0x80 != 0,
		End:    p[2]&0x40 != 0,
		Header: [H265NALHeaderLen]byte{p[0]&0x81 | fuType<<1, p[1]},
		Data:   p[3:],
	}, nil
}

// BuildH265AP aggregates NAL units into one aggregation packet payload
// (RFC 7798 §4.4.2, without DONL): a payload header whose F bit is the OR
// of the units' F bits and whose LayerId and TID are their lowest, then
// each unit preceded by its 16-bit size. It returns nil when fewer than
// two units are given (an aggregation packet carries at least two) or a
// unit is shorter than a NAL unit header or longer than 65535 bytes.
func BuildH265AP(nalus ...[]byte) []byte {
	if len(nalus) < 2 {
		return nil
	}
	size := H265NALHeaderLen
	var f byte
	layer, tid := byte(0x3f), byte(7)
	for _, n := range nalus {
		if len(n) < H265NALHeaderLen || len(n) > maxSTAPUnit {
			return nil
		}
		size += 2 + len(n)
		f |= n[0] & 0x80
		layer = min(layer, (n[0]&1)<<5|n[1]>>3)
		tid = min(tid, n[1]&7)
	}
	out := make([]byte, 0, size)
	out = append(out, f|H265AP<<1|layer>>5, layer<<3|tid)
	for _, n := range nalus {
		out = append(out, byte(len(n)>>8), byte(len(n)))
		out = append(out, n...)
	}
	return out
}

// H265PayloadSPS returns the SPS NAL unit an H.265 RTP payload carries,
// either as a single NAL unit packet or inside an aggregation packet, or
// nil. The result aliases payload. Fragmented SPS units are not
// reassembled.
//
// It runs for every packet a viewer is sent: a fragment or a slice is
// answered from its header, without walking or building an error.
func H265PayloadSPS(payload []byte) []byte {
	if len(payload) < H265NALHeaderLen {
		return nil
	}
	switch H265NALType(payload[0]) {
	case H265SPS:
		return payload
	case H265AP:
	default:
		return nil
	}
	var sps []byte
	_ = walkAggregated(payload[H265NALHeaderLen:], H265NALHeaderLen, "aggregation packet", func(nal []byte) bool {
		if H265NALType(nal[0]) == H265SPS {
			sps = nal
			return false
		}
		return true
	})
	return sps
}

// H265IsKeyframe reports whether an H.265 RTP payload carries a VPS, an
// SPS or the start of an IRAP picture's slice (types 16 to 21): a single
// NAL unit, any unit of an aggregation packet before a malformed one, or
// the first fragment of a fragmentation unit (RFC 7798 §4.4).
func H265IsKeyframe(p []byte) bool {
	if len(p) > 0 && H265NALType(p[0]) == H265FU {
		fu, err := ParseH265FU(p)
		return err == nil && fu.Start && H265IsIRAP(fu.Type())
	}
	key := false
	_ = WalkH265NALs(p, func(nal []byte) bool {
		key = h265Key(H265NALType(nal[0]))
		return !key
	})
	return key
}
