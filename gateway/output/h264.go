package output

import (
	"strings"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// spropInserter puts a track's out-of-band H.264 parameter sets in band: a
// receiver of plain RTP has no SDP to read sprop-parameter-sets from
// (RFC 6184 §8.1), so each keyframe that does not follow an SPS of its own
// access unit is preceded by a STAP-A of the SPS and PPS (§5.7.1).
type spropInserter struct {
	stap []byte // nil: the track has no sprop-parameter-sets, nothing to insert

	spsSeen bool   // an SPS went out (in band or inserted) …
	spsTS   uint32 // … for the access unit with this source timestamp
	spsSSRC uint32 // … of this source
}

// newSpropInserter reads the parameter sets of an H.264 track; any other
// track gets an inserter that inserts nothing.
func newSpropInserter(t *stream.Track) spropInserter {
	if t == nil || !strings.EqualFold(t.Codec.MimeType, "video/H264") {
		return spropInserter{}
	}
	sps, pps, err := codec.ParseSprop(t.Codec.Fmtp)
	if err != nil {
		return spropInserter{}
	}
	return spropInserter{stap: codec.BuildSTAPA(sps, pps)}
}

// before returns the STAP-A to send ahead of p, or nil. Multi-slice IDR
// pictures get it once.
func (s *spropInserter) before(p *stream.Packet) []byte {
	if s.stap == nil {
		return nil
	}
	if codec.PayloadSPS(p.Payload) != nil {
		s.spsSeen, s.spsTS, s.spsSSRC = true, p.Timestamp, p.SSRC
		return nil
	}
	if !p.Keyframe || (s.spsSeen && s.spsTS == p.Timestamp && s.spsSSRC == p.SSRC) {
		return nil
	}
	s.spsSeen, s.spsTS, s.spsSSRC = true, p.Timestamp, p.SSRC
	return s.stap
}
