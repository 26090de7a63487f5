package whep

import (
	"fmt"
	"strings"
)

// offerInfo is what the handler needs from an SDP offer before it reaches
// Handler.Open: the player's ICE credentials, which decide later whether a
// PATCH is a trickle or an ICE restart, and the number of candidates.
type offerInfo struct {
	ufrag, pwd string
	candidates int
}

// scanOffer makes the cheap syntax checks on an SDP offer (RFC 8866 §5)
// and extracts its ICE credentials: the session-level a=ice-ufrag and
// a=ice-pwd or, failing those, the first media-level ones (RFC 8839 §5.4
// makes them mandatory). Everything else about the offer is Open's to
// judge. Errors wrap ErrMalformedOffer.
func scanOffer(sdp string) (offerInfo, error) {
	var info offerInfo
	if sdp == "" {
		return info, fmt.Errorf("%w: empty body", ErrMalformedOffer)
	}
	if err := checkText(sdp); err != nil {
		return info, fmt.Errorf("%w: %w", ErrMalformedOffer, err)
	}
	if !strings.HasPrefix(sdp, "v=0\r\n") && !strings.HasPrefix(sdp, "v=0\n") {
		return info, fmt.Errorf("%w: does not start with v=0", ErrMalformedOffer)
	}
	var sessUfrag, sessPwd, mediaUfrag, mediaPwd string
	inMedia := false
	for _, line := range lines(sdp) {
		if len(line) > maxLineLength {
			return info, fmt.Errorf("%w: line longer than %d bytes", ErrMalformedOffer, maxLineLength)
		}
		if strings.HasPrefix(line, "m=") {
			inMedia = true
			continue
		}
		name, value, ok := attribute(line)
		switch {
		case !ok:
		case name == "candidate":
			info.candidates++
		case name == "ice-ufrag" && !inMedia:
			sessUfrag = value
		case name == "ice-pwd" && !inMedia:
			sessPwd = value
		case name == "ice-ufrag" && mediaUfrag == "":
			mediaUfrag = value
		case name == "ice-pwd" && mediaPwd == "":
			mediaPwd = value
		}
	}
	info.ufrag, info.pwd = first(sessUfrag, mediaUfrag), first(sessPwd, mediaPwd)
	if info.ufrag == "" || info.pwd == "" {
		return info, fmt.Errorf("%w: no a=ice-ufrag and a=ice-pwd", ErrMalformedOffer)
	}
	if err := checkCredentials(info.ufrag, info.pwd); err != nil {
		return info, fmt.Errorf("%w: %w", ErrMalformedOffer, err)
	}
	return info, nil
}

// first returns a unless it is empty, then b.
func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// answerTemplate extracts from an SDP answer the attributes that an ICE
// restart reply repeats: ice-lite, ice-options and the BUNDLE group
// (draft-ietf-wish-whep #ice-restarts asks for the same ice-options,
// ice-pacing and ice-lite as the answer), and the first m= section with its
// mid, the offerer-tagged section under max-bundle. It is lenient: the
// answer comes from our own Open.
func answerTemplate(answer string) Frag {
	var t Frag
	var media *FragMedia
	for _, line := range lines(answer) {
		if v, ok := strings.CutPrefix(line, "m="); ok {
			if media != nil {
				break
			}
			t.Media = []FragMedia{{Line: strings.Join(strings.Fields(v), " ")}}
			media = &t.Media[0]
			continue
		}
		name, value, _ := attribute(line)
		switch {
		case name == "ice-lite":
			t.ICELite = true
		case name == "ice-options" && t.ICEOptions == "":
			t.ICEOptions = strings.Join(strings.Fields(value), " ")
		case name == "group" && strings.HasPrefix(value, "BUNDLE"):
			t.Group = strings.Join(strings.Fields(value), " ")
		case name == "mid" && media != nil && isToken(value):
			media.Mid = value
		}
	}
	return t
}
