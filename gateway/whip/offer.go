package whip

import (
	"fmt"

	"github.com/pion/sdp/v3"
)

// checkOffer parses an offer and checks it with checkDescription.
func checkOffer(offer string, hasVideo bool) error {
	sd, err := parseOffer(offer)
	if err != nil {
		return err
	}
	return checkDescription(sd, hasVideo)
}

// parseOffer parses an offer given as text only (RFC 8866).
func parseOffer(offer string) (*sdp.SessionDescription, error) {
	if offer == "" {
		return nil, fmt.Errorf("%w: empty offer", ErrBadOffer)
	}
	sd := &sdp.SessionDescription{}
	if err := sd.UnmarshalString(offer); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	return sd, nil
}

// checkDescription checks what RFC 9725 asks of a publication before pion
// sees it: an audio or a video m-section, at most one of each (§4.4.2),
// each sending (sendonly or sendrecv; the answer is recvonly), and no video
// when the stream has none (§4.4.3: no partial answers).
func checkDescription(sd *sdp.SessionDescription, hasVideo bool) error {
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
