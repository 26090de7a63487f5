package outbound

import (
	"strings"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// paramSets puts a track's parameter sets in band before keyframes that
// lack them, for H.264 (SPS, PPS) and H.265 (VPS, SPS, PPS) alike: a
// receiver may have no SDP to read sprop-parameter-sets or
// sprop-vps/sps/pps from (RFC 6184 §8.1, RFC 7798 §7.1), and a viewer who
// joins mid-stream starts on a keyframe whose sets the camera may have
// sent only once, or only before IDR and not CRA pictures. Each keyframe
// that does not follow an SPS of its own access unit is preceded by one
// aggregation packet — a STAP-A (RFC 6184 §5.7.1) or an H.265
// aggregation packet (RFC 7798 §4.4.2) — of the out-of-band sets; without
// those, the receiver's first keyframe from a source that lacks them is
// preceded by the latest sets the source sent in band (stream.Track's
// memory): a decoder keeps the sets it was given, and the source sends
// new ones in band when they change.
// The codec's parts come from internal/codec; this is the one insertion
// of both.
type paramSets struct {
	active bool   // an H.264 or H.265 source
	mime   string // its MIME type
	// oob is the aggregation packet of the out-of-band sets, or nil when
	// the source has none.
	oob     []byte
	inband  func() [][]byte // the source's latest in-band sets
	lastIn  [][]byte        // the in-band sets agg was built from
	agg     []byte          // their aggregation packet
	findSPS func(payload []byte) []byte
	onSPS   func(sps []byte)

	spsSeen bool   // an SPS went out (in band or inserted) …
	spsTS   uint32 // … for the access unit with this source timestamp
	spsSSRC uint32 // … of this source
}

// has reports whether an SPS went out for source ssrc.
func (s *paramSets) has(ssrc uint32) bool { return s.spsSeen && s.spsSSRC == ssrc }

// newParamSets reads the parameter sets of an H.264 or H.265 source; any
// other source gets an inactive paramSets. onSPS sees the in-band SPS of
// an H.264 source only.
func newParamSets(src *stream.Track, onSPS func([]byte)) paramSets {
	c := src.Codec
	find := codec.SPSDetector(c.MimeType)
	if find == nil {
		return paramSets{}
	}
	if !strings.EqualFold(c.MimeType, codec.MimeH264) {
		onSPS = nil
	}
	s := paramSets{active: true, mime: c.MimeType, findSPS: find, onSPS: onSPS, inband: src.ParameterSets}
	if sets := codec.FmtpParameterSets(c.MimeType, c.Fmtp); sets != nil {
		s.oob = codec.AggregateNALs(c.MimeType, sets)
	}
	return s
}

// sets returns the aggregation packet to insert: the out-of-band sets', or
// that of the latest in-band ones, rebuilt only when they changed.
func (s *paramSets) sets() []byte {
	if s.oob != nil {
		return s.oob
	}
	in := s.inband()
	if len(in) == 0 {
		return nil
	}
	if len(s.lastIn) != len(in) || &s.lastIn[0] != &in[0] {
		s.lastIn, s.agg = in, codec.AggregateNALs(s.mime, in)
	}
	return s.agg
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
	if !p.Keyframe || s.has(p.SSRC) && (s.spsTS == p.Timestamp || s.oob == nil) {
		return nil
	}
	agg := s.sets()
	if agg == nil {
		return nil
	}
	s.spsSeen, s.spsTS, s.spsSSRC = true, p.Timestamp, p.SSRC
	return agg
}
