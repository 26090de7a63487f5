package egress

import (
	"bytes"

	"mediagate.dev/mediagate/internal/codec"
)

// profileCheck watches the SPS an H.264 source sends in band (the
// outbound.Track's OnSPS hook) and counts, once per viewer, a profile the
// viewer did not offer. Browsers' decoders usually take it, so it is sent
// anyway.
type profileCheck struct {
	v        *Viewer
	offered  map[uint8]bool
	lastSPS  []byte
	mismatch bool // already counted for this viewer
}

// check looks at one in-band SPS.
func (c *profileCheck) check(sps []byte) {
	if c.mismatch || bytes.Equal(sps, c.lastSPS) {
		return
	}
	c.lastSPS = append(c.lastSPS[:0], sps...)
	profile, constraints, level, w, h, err := codec.H264SPSInfo(sps)
	if err != nil || profileDecodable(c.offered, profile, constraints) {
		return
	}
	c.mismatch = true
	c.v.metrics.profileMismatch.Inc()
	c.v.log.Info("source H.264 profile not offered by the viewer; passing it through",
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
