package egress

import (
	"bytes"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// h264State is a forwarder's H.264 bookkeeping: out-of-band parameter sets
// to insert, and the SPS the source sends in band, whose profile is checked
// against what the viewer offered.
type h264State struct {
	enabled bool
	// stap is a STAP-A of the SPS and PPS from sprop-parameter-sets
	// (RFC 6184 §5.7.1, §8.1), or nil when the source has none.
	stap []byte

	spsSeen bool   // an SPS went out (in band or inserted) …
	spsTS   uint32 // … for the access unit with this source timestamp
	spsSSRC uint32 // … of this source

	lastSPS  []byte
	offered  map[uint8]bool
	mismatch bool // already counted for this viewer
}

func newH264State(fmtp string, plan *trackPlan) h264State {
	s := h264State{enabled: true, offered: plan.offeredProfiles, mismatch: plan.mismatch}
	if sps, pps, err := codec.ParseSprop(fmtp); err == nil {
		s.stap = codec.BuildSTAPA(sps, pps)
	}
	return s
}

// before returns the STAP-A to send ahead of p, or nil. A keyframe gets the
// out-of-band SPS/PPS unless an SPS of the same access unit went out just
// before it; multi-slice IDR pictures get them once.
func (s *h264State) before(p *stream.Packet, v *Viewer) []byte {
	if sps := codec.PayloadSPS(p.Payload); sps != nil {
		s.spsSeen, s.spsTS, s.spsSSRC = true, p.Timestamp, p.SSRC
		s.checkProfile(sps, v)
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

// checkProfile counts, once per viewer, a source SPS whose profile the
// viewer did not offer. Browsers' decoders usually take it, so it is sent
// anyway.
func (s *h264State) checkProfile(sps []byte, v *Viewer) {
	if s.mismatch || bytes.Equal(sps, s.lastSPS) {
		return
	}
	s.lastSPS = append(s.lastSPS[:0], sps...)
	profile, constraints, level, w, h, err := codec.H264SPSInfo(sps)
	if err != nil || profileDecodable(s.offered, profile, constraints) {
		return
	}
	s.mismatch = true
	v.metrics.profileMismatch.Inc()
	v.log.Info("source H.264 profile not offered by the viewer; passing it through",
		"profile_idc", profile, "level_idc", level, "width", w, "height", h)
}

// profileDecodable reports whether a decoder of one of the offered profiles
// decodes the given profile: the same profile_idc, or constrained baseline
// on a main or high decoder (H.264 §A.2.1).
func profileDecodable(offered map[uint8]bool, profile, constraints uint8) bool {
	if offered[profile] {
		return true
	}
	return profile == 66 && constraints&constrainedBaseline != 0 && (offered[77] || offered[100])
}
