package codec

import (
	"bytes"
	"errors"
	"fmt"
)

// Why an H.264 RTP payload cannot be forwarded: each wraps
// ErrMalformedPayload (or, for an SPS, ErrMalformed or ErrTooLarge as
// ParseSPS says), so a caller may count by the sentinel it matches.
var (
	// ErrH264PacketType means the first byte's type is no packet of
	// packetization mode 0 or 1: 0 and 30/31 are undefined, 25 to 27 and
	// 29 (STAP-B, MTAP16, MTAP24, FU-B) belong to the interleaved mode
	// (RFC 6184 §5.2, §5.4).
	ErrH264PacketType = errors.New("H.264 packet type outside packetization mode 1")
	// ErrH264STAPA means a STAP-A is truncated, overruns its payload,
	// aggregates an empty unit or a unit that is itself no NAL unit
	// (RFC 6184 §5.7.1).
	ErrH264STAPA = errors.New("malformed H.264 STAP-A")
	// ErrH264FUA means an FU-A is truncated, has both S and E set,
	// fragments what is no NAL unit (RFC 6184 §5.8), or continues a
	// fragmented unit whose start never came.
	ErrH264FUA = errors.New("malformed H.264 FU-A")
	// ErrH264SPS means a sequence parameter set does not parse or declares
	// a picture beyond the caps.
	ErrH264SPS = errors.New("H.264 SPS refused")
)

// H264MaxFrameMBs is MaxFS of the highest level H.264 defines (6.2,
// Table A-1): the most macroblocks a frame may have at any level.
const H264MaxFrameMBs = 139264

// H264Caps bound the pictures an H.264 stream's parameter sets may
// declare. The zero value means the limits of H.264 itself: at most
// H264MaxFrameMBs macroblocks a frame, and a side of at most
// sqrt(8 × MaxFS) macroblocks (Annex A.3.1, item f).
type H264Caps struct {
	// MaxFrameMBs is the most macroblocks a frame may have; zero means
	// H264MaxFrameMBs.
	MaxFrameMBs int
}

// maxFrameMBs is c's frame limit in macroblocks.
func (c H264Caps) maxFrameMBs() int {
	if c.MaxFrameMBs <= 0 || c.MaxFrameMBs > H264MaxFrameMBs {
		return H264MaxFrameMBs
	}
	return c.MaxFrameMBs
}

// maxSideMBs is the longest side in macroblocks a frame within c may have:
// the integer square root of 8 × MaxFS.
func (c H264Caps) maxSideMBs() int {
	limit := 8 * c.maxFrameMBs()
	side := 1
	for (side+1)*(side+1) <= limit {
		side++
	}
	return side
}

// CheckSPS parses an SPS NAL unit (header byte first) with ParseSPS and
// checks its picture against c. The error wraps ErrH264SPS.
func (c H264Caps) CheckSPS(nal []byte) (SPS, error) {
	s, err := ParseSPS(nal, 16*c.maxSideMBs())
	if err != nil {
		return SPS{}, fmt.Errorf("%w: %w", ErrH264SPS, err)
	}
	// A cropped picture covers at least as many macroblocks as its size
	// rounded up; frame height of a field picture is already doubled.
	mbs := ((s.Width + 15) / 16) * ((s.Height + 15) / 16)
	if mbs > c.maxFrameMBs() {
		return SPS{}, fmt.Errorf("%w: %dx%d is %d macroblocks, at most %d", ErrH264SPS, s.Width, s.Height, mbs, c.maxFrameMBs())
	}
	return s, nil
}

// CheckH264Payload reports whether p can be the payload of one RTP packet
// of H.264 in packetization mode 0 or 1 (RFC 6184): a single NAL unit of
// type 1 to 23, a STAP-A whose units fit it exactly and are each a NAL
// unit of type 1 to 23, or an FU-A with its FU header, at least one byte
// of fragment, not both S and E, fragmenting a type 1 to 23. It looks at
// one packet alone; H264Stream adds what takes the packets before it.
func CheckH264Payload(p []byte) error {
	if len(p) == 0 {
		return fmt.Errorf("%w: empty payload", ErrH264PacketType)
	}
	switch t := H264NALType(p[0]); {
	case t >= 1 && t <= 23:
		return nil
	case t == H264STAPA:
		return checkSTAPA(p)
	case t == H264FUA:
		_, err := checkFUA(p)
		return err
	default:
		return fmt.Errorf("%w: type %d", ErrH264PacketType, t)
	}
}

// checkSTAPA checks a STAP-A's units with the project's one STAP-A walker.
func checkSTAPA(p []byte) error {
	if len(p) < 4 {
		return fmt.Errorf("%w: %d bytes", ErrH264STAPA, len(p))
	}
	var inner error
	err := WalkH264NALs(p, func(nal []byte) bool {
		if t := H264NALType(nal[0]); t < 1 || t > 23 {
			inner = fmt.Errorf("%w: aggregates a unit of type %d", ErrH264STAPA, t)
			return false
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrH264STAPA, err)
	}
	return inner
}

// checkFUA parses an FU-A with the project's one FU-A parser and checks
// it on its own.
func checkFUA(p []byte) (H264FU, error) {
	fu, err := ParseH264FUA(p)
	switch {
	case err != nil:
		return fu, fmt.Errorf("%w: %w", ErrH264FUA, err)
	case len(fu.Data) == 0:
		return fu, fmt.Errorf("%w: no fragment", ErrH264FUA)
	case fu.Start && fu.End:
		return fu, fmt.Errorf("%w: S and E both set", ErrH264FUA)
	case fu.Type() < 1 || fu.Type() > 23:
		return fu, fmt.Errorf("%w: fragments type %d", ErrH264FUA, fu.Type())
	}
	return fu, nil
}

// H264Stream checks the payloads of one H.264 RTP stream in sequence-number
// order: each payload on its own (CheckH264Payload), the continuity of
// fragmented units, and every sequence parameter set that differs from
// the last one accepted against Caps. Its zero value is ready; it is not
// safe for concurrent use.
type H264Stream struct {
	// Caps bound the pictures parameter sets may declare.
	Caps H264Caps

	fuOpen  bool   // an FU-A run has started and not ended
	fuNext  uint16 // the sequence number its next fragment must have
	lastSPS []byte // the last SPS accepted, to re-check only changes
}

// Check checks the payload of the packet with sequence number seq, the
// packet after the previous one Check was given (or after a loss). An FU-A
// that continues a unit needs its predecessor fragment in the packet just
// before it: after a loss, the rest of that unit is refused as well. A
// packet refused leaves the state as it was, except that it ends an open
// FU-A run.
func (s *H264Stream) Check(seq uint16, p []byte) error {
	if err := CheckH264Payload(p); err != nil {
		s.fuOpen = false
		return err
	}
	switch t := H264NALType(p[0]); t {
	case H264FUA:
		return s.fragment(seq, p)
	case H264SPS, H264STAPA:
		s.fuOpen = false
		return s.parameterSets(p)
	default:
		s.fuOpen = false
		return nil
	}
}

// fragment follows an FU-A run; p passed CheckH264Payload.
func (s *H264Stream) fragment(seq uint16, p []byte) error {
	fu, _ := ParseH264FUA(p)
	if !fu.Start && (!s.fuOpen || seq != s.fuNext) {
		s.fuOpen = false
		return fmt.Errorf("%w: continues a unit whose start is missing", ErrH264FUA)
	}
	s.fuOpen, s.fuNext = !fu.End, seq+1
	return nil
}

// parameterSets checks every SPS that p (a single NAL unit or a STAP-A,
// already checked) carries and differs from the last accepted one.
func (s *H264Stream) parameterSets(p []byte) error {
	var err error
	_ = WalkH264NALs(p, func(nal []byte) bool {
		if H264NALType(nal[0]) != H264SPS || bytes.Equal(nal, s.lastSPS) {
			return true
		}
		if _, err = s.Caps.CheckSPS(nal); err != nil {
			return false
		}
		s.lastSPS = append(s.lastSPS[:0], nal...)
		return true
	})
	return err
}
