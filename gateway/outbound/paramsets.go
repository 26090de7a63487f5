package outbound

import (
	"strings"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// paramSets puts a track's out-of-band parameter sets in band, for H.264
// (SPS, PPS) and H.265 (VPS, SPS, PPS) alike: a receiver may have no SDP
// to read sprop-parameter-sets or sprop-vps/sps/pps from (RFC 6184 §8.1,
// RFC 7798 §7.1), and a viewer who joins mid-stream starts on a keyframe,
// so each keyframe that does not follow an SPS of its own access unit is
// preceded by one aggregation packet of the sets: a STAP-A (RFC 6184
// §5.7.1) or an H.265 aggregation packet (RFC 7798 §4.4.2). The codec's
// parts come from internal/codec; this is the one insertion of both.
type paramSets struct {
	active bool // an H.26x source with parameter sets or an SPS hook
	// agg is the aggregation packet of the out-of-band sets, or nil when
	// the source has none: nothing to insert.
	agg     []byte
	findSPS func(payload []byte) []byte
	onSPS   func(sps []byte)

	spsSeen bool   // an SPS went out (in band or inserted) …
	spsTS   uint32 // … for the access unit with this source timestamp
	spsSSRC uint32 // … of this source
}

// newParamSets reads the parameter sets of an H.264 or H.265 source; any
// other source gets an inactive paramSets. onSPS sees the in-band SPS of
// an H.264 source only.
func newParamSets(c stream.Codec, onSPS func([]byte)) paramSets {
	find := codec.SPSDetector(c.MimeType)
	if find == nil {
		return paramSets{}
	}
	if !strings.EqualFold(c.MimeType, codec.MimeH264) {
		onSPS = nil
	}
	s := paramSets{findSPS: find, onSPS: onSPS}
	if sets := codec.FmtpParameterSets(c.MimeType, c.Fmtp); sets != nil {
		s.agg = codec.AggregateNALs(c.MimeType, sets)
	}
	s.active = s.agg != nil || onSPS != nil
	return s
}

// before returns the aggregation packet to send ahead of p, or nil.
// Multi-slice keyframes get it once.
func (s *paramSets) before(p *stream.Packet) []byte {
	if !s.active {
		return nil
	}
	if sps := s.findSPS(p.Payload); sps != nil {
		s.spsSeen, s.spsTS, s.spsSSRC = true, p.Timestamp, p.SSRC
		if s.onSPS != nil {
			s.onSPS(sps)
		}
		return nil
	}
	if !p.Keyframe || s.agg == nil {
		return nil
	}
	if s.spsSeen && s.spsTS == p.Timestamp && s.spsSSRC == p.SSRC {
		return nil
	}
	s.spsSeen, s.spsTS, s.spsSSRC = true, p.Timestamp, p.SSRC
	return s.agg
}
