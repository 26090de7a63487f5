package jsep

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
)

// RestartOffer copies an applied offer for an ICE restart (RFC 8445 §9,
// RFC 9725 §4.3.3): new ICE credentials in place of the old ones, the given
// candidates ("candidate:…" or the value after it) instead of the old ones
// on the first m-section, which carries the bundle, and the next session
// version (RFC 8866 §5.2). Viewers and WHIP publishers restart with it.
func RestartOffer(prev, ufrag, pwd string, candidates []string) (string, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(prev); err != nil {
		return "", fmt.Errorf("jsep: reparse offer: %w", err)
	}
	sd.Origin.SessionVersion++
	sd.Attributes = replaceICE(sd.Attributes, ufrag, pwd)
	for i, md := range sd.MediaDescriptions {
		md.Attributes = replaceICE(md.Attributes, ufrag, pwd)
		if i == 0 {
			for _, c := range candidates {
				md.Attributes = append(md.Attributes, sdp.NewAttribute("candidate", strings.TrimPrefix(c, "candidate:")))
			}
		}
	}
	out, err := sd.Marshal()
	if err != nil {
		return "", fmt.Errorf("jsep: restart offer: %w", err)
	}
	return string(out), nil
}

// replaceICE sets ice-ufrag and ice-pwd where present and drops candidates.
func replaceICE(attrs []sdp.Attribute, ufrag, pwd string) []sdp.Attribute {
	out := attrs[:0]
	for _, a := range attrs {
		switch a.Key {
		case "candidate", "end-of-candidates":
			continue
		case "ice-ufrag":
			a.Value = ufrag
		case "ice-pwd":
			a.Value = pwd
		}
		out = append(out, a)
	}
	return out
}
