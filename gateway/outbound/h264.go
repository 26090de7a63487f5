package outbound

import (
	"strings"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// paramSets puts a track's out-of-band H.264 parameter sets in band: a
// receiver may have no SDP to read sprop-parameter-sets from (RFC 6184
// §8.1), and a browser's decoder starts faster with them in band, so each
// keyframe that does not follow an SPS of its own access unit is preceded
// by a STAP-A of the SPS and PPS (§5.7.1).
type paramSets struct {
	active bool // an H.264 source with parameter sets or an SPS hook
	// stap is the STAP-A of the sprop-parameter-sets, or nil when the
	// source has none: nothing to insert.
	stap  []byte
	onSPS func(sps []byte)

	spsSeen bool   // an SPS went out (in band or inserted) …
	spsTS   uint32 // … for the access unit with this source timestamp
	spsSSRC uint32 // … of this source
}

// newParamSets reads the parameter sets of an H.264 source; any other
// source gets an inactive paramSets.
func newParamSets(c stream.Codec, onSPS func([]byte)) paramSets {
	if !strings.EqualFold(c.MimeType, codec.MimeH264) {
		return paramSets{}
	}
	s := paramSets{onSPS: onSPS}
	if sps, pps, err := codec.ParseSprop(c.Fmtp); err == nil {
		s.stap = codec.BuildSTAPA(sps, pps)
	}
	s.active = s.stap != nil || onSPS != nil
	return s
}

// before returns the STAP-A to send ahead of p, or nil. Multi-slice IDR
// pictures get it once.
func (s *paramSets) before(p *stream.Packet) []byte {
	if !s.active {
		return nil
	}
	if sps := codec.PayloadSPS(p.Payload); sps != nil {
		s.spsSeen, s.spsTS, s.spsSSRC = true, p.Timestamp, p.SSRC
		if s.onSPS != nil {
			s.onSPS(sps)
		}
		return nil
	}
	if !p.Keyframe || s.stap == nil {
		return nil
	}
	if s.spsSeen && s.spsTS == p.Timestamp && s.spsSSRC == p.SSRC {
		return nil
	}
	s.spsSeen, s.spsTS, s.spsSSRC = true, p.Timestamp, p.SSRC
	return s.stap
}
