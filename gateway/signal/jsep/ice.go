package jsep

import (
	"fmt"

	"github.com/pion/sdp/v3"
)

// ICE returns the ICE credentials and candidates (as "candidate:…" values)
// of the first m-section of a description, each credential taken from the
// m-section or else from the session level (RFC 8839 §5.4). With
// max-bundle, that m-section carries the transport. A description without
// m-sections has none.
func ICE(sd *sdp.SessionDescription) (ufrag, pwd string, candidates []string) {
	if len(sd.MediaDescriptions) == 0 {
		return "", "", nil
	}
	md := sd.MediaDescriptions[0]
	ufrag, _ = Attribute(sd, md, "ice-ufrag")
	pwd, _ = Attribute(sd, md, "ice-pwd")
	for _, a := range md.Attributes {
		if a.Key == "candidate" {
			candidates = append(candidates, "candidate:"+a.Value)
		}
	}
	return ufrag, pwd, candidates
}

// LocalICE parses a description — the gateway's own answer, or an offer
// applied — and returns what ICE returns for it.
func LocalICE(desc string) (ufrag, pwd string, candidates []string, err error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(desc); err != nil || len(sd.MediaDescriptions) == 0 {
		return "", "", nil, fmt.Errorf("jsep: parse own answer: %v", err)
	}
	ufrag, pwd, candidates = ICE(&sd)
	return ufrag, pwd, candidates, nil
}

// Attribute returns a media-level attribute of md, falling back to the
// session level of sd.
func Attribute(sd *sdp.SessionDescription, md *sdp.MediaDescription, key string) (string, bool) {
	if v, ok := md.Attribute(key); ok {
		return v, true
	}
	return sd.Attribute(key)
}
