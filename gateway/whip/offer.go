package whip

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
)

// checkOffer checks what RFC 9725 asks of a publication before pion sees
// it: it parses, has an audio or a video m-section, at most one of each
// (§4.4.2), each sending (sendonly or sendrecv; the answer is recvonly),
// and no video when the stream has none (§4.4.3: no partial answers).
func checkOffer(offer string, hasVideo bool) error {
	var sd sdp.SessionDescription
	if offer == "" {
		return fmt.Errorf("%w: empty offer", ErrBadOffer)
	}
	if err := sd.UnmarshalString(offer); err != nil {
		return fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	sessionDir := direction(sd.Attributes, "sendrecv")
	seen := map[string]bool{}
	for _, md := range sd.MediaDescriptions {
		kind := md.MediaName.Media
		if kind != "audio" && kind != "video" {
			continue
		}
		if seen[kind] {
			return fmt.Errorf("%w: more than one %s m-section (RFC 9725 §4.4.2)", ErrUnacceptable, kind)
		}
		seen[kind] = true
		if dir := direction(md.Attributes, sessionDir); dir != "sendonly" && dir != "sendrecv" {
			return fmt.Errorf("%w: the %s m-section is %s; a publisher must send", ErrUnacceptable, kind, dir)
		}
	}
	switch {
	case !seen["audio"] && !seen["video"]:
		return fmt.Errorf("%w: no audio or video m-section", ErrUnacceptable)
	case seen["video"] && !hasVideo:
		return fmt.Errorf("%w: the stream has no video", ErrUnacceptable)
	}
	return nil
}

// direction returns the direction attribute among attrs, or def.
func direction(attrs []sdp.Attribute, def string) string {
	for _, a := range attrs {
		switch a.Key {
		case "sendrecv", "sendonly", "recvonly", "inactive":
			return a.Key
		}
	}
	return def
}

// checkAnswer refuses an answer in which pion rejected an audio or video
// m-section (port 0): the offer had no format in common with the stream
// (RFC 9725 §4.4.3 forbids partially successful answers).
func checkAnswer(answer string) error {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(answer); err != nil {
		return fmt.Errorf("whip: parse own answer: %w", err)
	}
	for _, md := range sd.MediaDescriptions {
		kind := md.MediaName.Media
		if (kind == "audio" || kind == "video") && md.MediaName.Port.Value == 0 {
			return fmt.Errorf("%w: no %s format in common with the stream", ErrUnacceptable, kind)
		}
	}
	return nil
}

// restartOffer rewrites the applied offer for an ICE restart (RFC 8445 §9,
// RFC 9725 §4.3.3): the new ufrag and pwd replace the old ones, the old
// candidates and end-of-candidates are dropped, and the new candidates go
// into the first m-section, which carries the bundle.
func restartOffer(prev, ufrag, pwd string, candidates []string) string {
	var b strings.Builder
	sections := 0
	addCandidates := func() {
		for _, c := range candidates {
			b.WriteString("a=candidate:" + strings.TrimPrefix(c, "candidate:") + "\r\n")
		}
	}
	for _, line := range sdpLines(prev) {
		switch {
		case strings.HasPrefix(line, "a=candidate:"), line == "a=end-of-candidates":
			continue
		case strings.HasPrefix(line, "a=ice-ufrag:"):
			line = "a=ice-ufrag:" + ufrag
		case strings.HasPrefix(line, "a=ice-pwd:"):
			line = "a=ice-pwd:" + pwd
		case strings.HasPrefix(line, "m="):
			sections++
			if sections == 2 {
				addCandidates()
			}
		}
		b.WriteString(line + "\r\n")
	}
	if sections < 2 {
		addCandidates()
	}
	return b.String()
}

// localICE returns the ICE credentials and the candidates ("candidate:…")
// of the first m-section of the gateway's own answer.
func localICE(answer string) (ufrag, pwd string, candidates []string) {
	sections := 0
	for _, line := range sdpLines(answer) {
		if strings.HasPrefix(line, "m=") {
			if sections++; sections == 2 {
				break
			}
		}
		switch {
		case strings.HasPrefix(line, "a=ice-ufrag:") && ufrag == "":
			ufrag = strings.TrimPrefix(line, "a=ice-ufrag:")
		case strings.HasPrefix(line, "a=ice-pwd:") && pwd == "":
			pwd = strings.TrimPrefix(line, "a=ice-pwd:")
		case strings.HasPrefix(line, "a=candidate:") && sections == 1:
			candidates = append(candidates, strings.TrimPrefix(line, "a="))
		}
	}
	return ufrag, pwd, candidates
}

// sdpLines splits an SDP body into lines without their CR LF.
func sdpLines(body string) []string {
	lines := strings.Split(strings.TrimRight(body, "\r\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
