package forward

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pion/sdp/v3"

	"mediagate.dev/mediagate/gateway/stream"
)

// refusal is an endpoint's refusal of the codecs a forward offered for
// some kinds, which a transcoded rendition may mend: the forward's next
// attempt, at once, offers those kinds' rendition codecs too.
type refusal struct {
	kinds []stream.Kind // the kinds to offer renditions of next
	cause string        // what the endpoint did: "http_422", "video m-line rejected"...
}

func (r *refusal) Error() string {
	return fmt.Sprintf("endpoint refused the source codec (%s)", r.cause)
}

// codecStatus reports whether err is an answer refusing the offer's media:
// 415 or 422 (RFC 9725 §4.2 lets a server refuse an offer it cannot take).
func codecStatus(err error) bool {
	var se *StatusError
	return errors.As(err, &se) &&
		(se.Code == http.StatusUnprocessableEntity || se.Code == http.StatusUnsupportedMediaType)
}

// refusedKinds returns the kinds of offered (the MIME types offered per
// kind) that the answer refuses: no m-section of that kind, one rejected
// with port 0 (RFC 3264 §6) or inactive, or one that names none of the
// codecs offered. An answer that does not parse refuses nothing here; the
// PeerConnection reports it.
func refusedKinds(answer string, offered map[stream.Kind][]string) []stream.Kind {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(answer); err != nil {
		return nil
	}
	var out []stream.Kind
	for _, kind := range []stream.Kind{stream.Video, stream.Audio} {
		mimes, ok := offered[kind]
		if !ok {
			continue
		}
		accepted := false
		for _, m := range sd.MediaDescriptions {
			if m.MediaName.Media == kind.String() && acceptsOne(m, mimes) {
				accepted = true
				break
			}
		}
		if !accepted {
			out = append(out, kind)
		}
	}
	return out
}

// acceptsOne reports whether m is an accepted m-section that names one of
// mimes in its a=rtpmap lines.
func acceptsOne(m *sdp.MediaDescription, mimes []string) bool {
	if m.MediaName.Port.Value == 0 {
		return false
	}
	if _, inactive := m.Attribute("inactive"); inactive {
		return false
	}
	for _, a := range m.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		_, enc, _ := strings.Cut(a.Value, " ")
		name, _, _ := strings.Cut(enc, "/")
		for _, mime := range mimes {
			if _, sub, _ := strings.Cut(mime, "/"); strings.EqualFold(sub, name) {
				return true
			}
		}
	}
	return false
}
