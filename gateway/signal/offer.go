package signal

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
)

// offerInfo is a POSTed offer, checked and parsed once: the description
// handed on to the Opener, the client's ICE credentials, which decide later
// whether a PATCH is a trickle or an ICE restart, and the number of
// candidates.
type offerInfo struct {
	desc       *sdp.SessionDescription
	ufrag, pwd string
	candidates int
}

// parseOffer checks an SDP offer and parses it (RFC 8866 §5) with
// pion/sdp, the one parse of the offer before pion's own in
// SetRemoteDescription, which cannot be avoided: byte-level checks first
// (text, v=0, line length), then the parse, then the ICE credentials: the
// session-level a=ice-ufrag and a=ice-pwd or, failing those, the first
// media-level ones (RFC 8839 §5.4 makes them mandatory). Everything else
// about the offer is the Opener's to judge, on the parsed description.
// Errors wrap ErrMalformedOffer.
func parseOffer(raw string) (offerInfo, error) {
	var info offerInfo
	if raw == "" {
		return info, fmt.Errorf("%w: empty body", ErrMalformedOffer)
	}
	if err := checkText(raw); err != nil {
		return info, fmt.Errorf("%w: %w", ErrMalformedOffer, err)
	}
	if !strings.HasPrefix(raw, "v=0\r\n") && !strings.HasPrefix(raw, "v=0\n") {
		return info, fmt.Errorf("%w: does not start with v=0", ErrMalformedOffer)
	}
	if longestLine(raw) > maxLineLength {
		return info, fmt.Errorf("%w: line longer than %d bytes", ErrMalformedOffer, maxLineLength)
	}
	sd := &sdp.SessionDescription{}
	if err := sd.UnmarshalString(raw); err != nil {
		return info, fmt.Errorf("%w: %v", ErrMalformedOffer, err)
	}
	info.desc = sd
	info.ufrag, info.pwd, info.candidates = offerICE(sd)
	if info.ufrag == "" || info.pwd == "" {
		return info, fmt.Errorf("%w: no a=ice-ufrag and a=ice-pwd", ErrMalformedOffer)
	}
	if err := checkCredentials(info.ufrag, info.pwd); err != nil {
		return info, fmt.Errorf("%w: %w", ErrMalformedOffer, err)
	}
	return info, nil
}

// offerICE returns the offer's ICE credentials, session-level (the last
// one) before media-level (the first non-empty one), and counts its
// candidates at every level.
func offerICE(sd *sdp.SessionDescription) (ufrag, pwd string, candidates int) {
	var sessUfrag, sessPwd, mediaUfrag, mediaPwd string
	for _, a := range sd.Attributes {
		switch a.Key {
		case "candidate":
			candidates++
		case "ice-ufrag":
			sessUfrag = a.Value
		case "ice-pwd":
			sessPwd = a.Value
		}
	}
	for _, md := range sd.MediaDescriptions {
		for _, a := range md.Attributes {
			switch {
			case a.Key == "candidate":
				candidates++
			case a.Key == "ice-ufrag" && mediaUfrag == "":
				mediaUfrag = a.Value
			case a.Key == "ice-pwd" && mediaPwd == "":
				mediaPwd = a.Value
			}
		}
	}
	return first(sessUfrag, mediaUfrag), first(sessPwd, mediaPwd), candidates
}

// longestLine returns the length of the longest line of body, as lines
// measures them.
func longestLine(body string) int {
	n := 0
	for l := range strings.SplitSeq(body, "\n") {
		n = max(n, len(strings.TrimRight(l, "\r \t")))
	}
	return n
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
