package sendersdp

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pion/sdp/v3"

	"mediagate.dev/mediagate/gateway/config"
)

// maxMediaLines bounds the m-lines of an offer the gateway reads.
const maxMediaLines = 16

// Policy is what the gateway accepts in an offer.
type Policy struct {
	// Suites are the SDES crypto suites accepted, most preferred first.
	// Empty refuses every SRTP offer.
	Suites []string
}

// Negotiation is an offer the gateway can answer: the media it accepted,
// the crypto line it chose and where the offer says the sender is.
type Negotiation struct {
	// Video and Audio are the accepted tracks, ready for a [[stream]]
	// table (nil when the offer has none the gateway accepts).
	Video *config.Video
	Audio *config.Audio
	// Crypto is the offered a=crypto line the gateway chose; its Key is the
	// sender's, which decrypts the sender's media. Nil for plain RTP.
	Crypto *Crypto
	// Source is the offer's connection address (c=), or the zero Addr when
	// it has none the sender could send from (unspecified, multicast).
	Source netip.Addr

	lines []line
}

// line is the gateway's answer to one offered m-line.
type line struct {
	media   string   // "video", "audio", …
	proto   string   // "RTP/AVP", …
	formats []string // as offered, for a rejected line
	format  format   // the accepted payload type
	ok      bool
	tag     int    // the crypto tag to echo, when Crypto is set
	reason  string // why the line was rejected
}

// Negotiate reads a sender's SDP offer (RFC 3264 §5) and decides what the
// gateway accepts under p. Errors wrap ErrBadOffer, ErrUnacceptable or
// ErrUnsupportedSuites (an *UnsupportedSuitesError naming the offered
// suites).
func Negotiate(offer []byte, p Policy) (*Negotiation, error) {
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(offer); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	switch {
	case len(sd.MediaDescriptions) == 0:
		return nil, fmt.Errorf("%w: no m= line", ErrBadOffer)
	case len(sd.MediaDescriptions) > maxMediaLines:
		return nil, fmt.Errorf("%w: more than %d m= lines", ErrBadOffer, maxMediaLines)
	}
	n := &Negotiation{}
	var suiteErr error
	for _, m := range sd.MediaDescriptions {
		l, err := n.consider(&sd, m, p)
		if err != nil && !isUnsupportedSuites(err) {
			return nil, err
		}
		if err != nil && suiteErr == nil {
			suiteErr = err
		}
		n.lines = append(n.lines, l)
	}
	if n.Video == nil && n.Audio == nil {
		if suiteErr != nil {
			return nil, suiteErr
		}
		return nil, fmt.Errorf("%w: %s", ErrUnacceptable, n.reasons())
	}
	return n, nil
}

// consider answers one m-line: it accepts it when it is RTP the gateway
// can receive, of a kind not yet accepted, with a codec and crypto the
// gateway takes. A rejected line carries its reason.
func (n *Negotiation) consider(sd *sdp.SessionDescription, m *sdp.MediaDescription, p Policy) (line, error) {
	l := line{media: m.MediaName.Media, proto: strings.Join(m.MediaName.Protos, "/"), formats: m.MediaName.Formats}
	cryptos, err := parseCryptos(m)
	if err != nil {
		return l, err
	}
	if l.reason = refusal(sd, m, l.proto, len(cryptos) > 0); l.reason != "" {
		return l, nil
	}
	video, audio, err := n.pickCodec(m, &l)
	if err != nil {
		return l, err
	}
	if l.reason != "" {
		return l, nil
	}
	chosen, err := n.pickCrypto(cryptos, p)
	if err != nil {
		l.reason = "no accepted SRTP suite"
		return l, err
	}
	if n.Video != nil || n.Audio != nil {
		if reason := n.sameKeying(chosen); reason != "" {
			l.reason = reason
			return l, nil
		}
	}
	l.ok = true
	if chosen != nil {
		l.tag = chosen.Tag
		n.Crypto = chosen
	}
	n.Video, n.Audio = cmpOr(n.Video, video), cmpOr(n.Audio, audio)
	if !n.Source.IsValid() {
		n.Source = connectionAddr(sd, m)
	}
	return l, nil
}

// refusal says why an m-line cannot be received at all, or "".
func refusal(sd *sdp.SessionDescription, m *sdp.MediaDescription, proto string, hasCrypto bool) string {
	switch {
	case m.MediaName.Port.Value == 0:
		return "rejected by the offerer (port 0)"
	case proto == "UDP/TLS/RTP/SAVPF" || proto == "UDP/TLS/RTP/SAVP":
		return "DTLS-SRTP (a WebRTC offer): publish through WHIP instead"
	case !slices.Contains([]string{"RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF"}, proto):
		return "transport " + proto + " is not RTP"
	case strings.HasPrefix(proto, "RTP/SAVP") && !hasCrypto:
		return proto + " without a=crypto"
	case direction(sd, m) == "recvonly" || direction(sd, m) == "inactive":
		return "the offer does not send (" + direction(sd, m) + "); the gateway only receives"
	}
	return ""
}

// direction returns the m-line's direction attribute, else the session's.
func direction(sd *sdp.SessionDescription, m *sdp.MediaDescription) string {
	for _, attrs := range [][]sdp.Attribute{m.Attributes, sd.Attributes} {
		for _, a := range attrs {
			if a.Value == "" && slices.Contains([]string{"sendrecv", "sendonly", "recvonly", "inactive"}, a.Key) {
				return a.Key
			}
		}
	}
	return "sendrecv"
}

// pickCodec takes the first offered format of the line's kind that a
// stream can carry, unless a line of that kind was accepted already. A
// video line whose only H.265 formats need DONL reordering (or several
// RTP streams) and that offers nothing else refuses the whole offer with
// that reason (ErrUnacceptable): the sender must be told, not silently
// left without video.
func (n *Negotiation) pickCodec(m *sdp.MediaDescription, l *line) (*config.Video, *config.Audio, error) {
	switch {
	case l.media == "video" && n.Video == nil:
		var refused error
		for _, f := range formats(m) {
			v, err := acceptVideo(f)
			if v != nil {
				l.format = f
				return v, nil, nil
			}
			refused = cmpOrErr(refused, err)
		}
		if refused != nil {
			l.reason = refused.Error()
			return nil, nil, refused
		}
	case l.media == "audio" && n.Audio == nil:
		for _, f := range formats(m) {
			if a := acceptAudio(f); a != nil {
				l.format = f
				return nil, a, nil
			}
		}
	case l.media == "video" || l.media == "audio":
		l.reason = "one " + l.media + " m-line is accepted, this is another"
		return nil, nil, nil
	default:
		l.reason = "media " + l.media + " is not supported"
		return nil, nil, nil
	}
	l.reason = "no supported codec among " + strings.Join(m.MediaName.Formats, " ") +
		" (video: H264 packetization-mode 0 or 1, H265 without DONL, VP8; audio: opus/48000/2, PCMU, PCMA)"
	return nil, nil, nil
}

// cmpOrErr returns a when it is set, else b.
func cmpOrErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// reasons lists why each m-line was rejected.
func (n *Negotiation) reasons() string {
	parts := make([]string, 0, len(n.lines))
	for _, l := range n.lines {
		parts = append(parts, fmt.Sprintf("m=%s: %s", l.media, l.reason))
	}
	return strings.Join(parts, "; ")
}

// connectionAddr returns the unicast address of the line's c=, else the
// session's, or the zero Addr.
func connectionAddr(sd *sdp.SessionDescription, m *sdp.MediaDescription) netip.Addr {
	ci := m.ConnectionInformation
	if ci == nil {
		ci = sd.ConnectionInformation
	}
	if ci == nil || ci.Address == nil {
		return netip.Addr{}
	}
	host, _, _ := strings.Cut(ci.Address.Address, "/")
	a, err := netip.ParseAddr(host)
	if err != nil || a.IsUnspecified() || a.IsMulticast() {
		return netip.Addr{}
	}
	return a.Unmap()
}

// cmpOr returns a when it is set, else b.
func cmpOr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}
