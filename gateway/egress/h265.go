package egress

import (
	"strings"

	"mediagate.dev/mediagate/internal/codec"
)

// h265Profiles are the H.265 profiles registered, main tier, in the
// single-RTP-stream mode WebRTC uses (RFC 7798 §7.1): Main and Main 10.
// pion matches an offered H.265 format on profile-id, tier-flag and
// tx-mode, never on level-id (RFC 7798 §7.2.2 lets an answer lower it).
var h265Profiles = []int{codec.H265ProfileMain, codec.H265ProfileMain10}

// h265Compatible reports whether a viewer's offered H.265 format can
// carry the source's stream unchanged: the source's profile, a registered
// one, in its tier; a level-id at least the source's when the source's is
// known (its fmtp says it); and single-RTP-stream transmission.
func h265Compatible(srcFmtp, offered string) bool {
	src, err := codec.ParseH265Profile(srcFmtp)
	if err != nil {
		return false
	}
	o, err := codec.ParseH265Profile(offered)
	if err != nil || o.ProfileID != src.ProfileID || o.TierFlag != src.TierFlag || o.TierFlag != 0 {
		return false
	}
	if mode, ok := codec.FmtpParam(offered, "tx-mode"); ok && !strings.EqualFold(mode, "SRST") {
		return false
	}
	if _, known := codec.FmtpParam(srcFmtp, "level-id"); known && o.LevelID < src.LevelID {
		return false
	}
	for _, p := range h265Profiles {
		if p == o.ProfileID {
			return true
		}
	}
	return false
}
