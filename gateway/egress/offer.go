package egress

import (
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"

	"mediagate.dev/mediagate/gateway/signal/jsep"
)

// maxOfferBytes bounds the offer parsed at all; the WHEP handler caps bodies
// well below it.
const maxOfferBytes = 256 << 10

// offer is a checked viewer offer: the SDP handed to pion (with its remote
// candidates filtered and capped) and what egress needs from it.
type offer struct {
	sdp        string
	video      *offerMedia
	audio      *offerMedia
	bundleMid  string // mid of the first m-section, whose transport the bundle uses
	ufrag, pwd string // the remote ICE credentials
	candidates int    // remote candidates kept
}

// offerMedia is one m-section of the offer.
type offerMedia struct {
	mid    string
	codecs []offeredCodec // in the offer's order of preference
}

// offeredCodec is one payload format of an m-section (RFC 8866 §6.6, §6.15).
type offeredCodec struct {
	pt       uint8
	mime     string // "video/H264", "audio/opus"…
	clock    uint32
	channels uint16
	fmtp     string
}

// parseOffer parses a viewer's offer and checks it with checkOffer: for
// callers that hand NewViewer the offer as text only.
func parseOffer(raw string, policy candidatePolicy) (*offer, error) {
	if len(raw) > maxOfferBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadOffer, len(raw))
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	return checkOffer(&sd, policy)
}

// checkOffer checks a viewer's parsed offer before pion sees it, so that
// every refusal is a clear ErrBadOffer (malformed) or ErrUnacceptable (well
// formed, but not a WHEP playback offer this gateway can answer): see
// draft-ietf-wish-whep "Media Direction Attributes", "SDP Bundle" and RFC
// 9725 §4.4. It filters and caps the remote candidates in sd itself.
func checkOffer(sd *sdp.SessionDescription, policy candidatePolicy) (*offer, error) {
	if len(sd.MediaDescriptions) == 0 {
		return nil, fmt.Errorf("%w: no media sections", ErrBadOffer)
	}
	bundle, err := bundleGroup(sd)
	if err != nil {
		return nil, err
	}
	o := &offer{}
	inBundle := make(map[string]bool, len(bundle))
	for _, mid := range bundle {
		inBundle[mid] = true
	}
	for _, md := range sd.MediaDescriptions {
		if err := o.addMedia(sd, md, inBundle); err != nil {
			return nil, err
		}
	}
	if err := checkMediaStream(sd); err != nil {
		return nil, err
	}
	receiveOnly(sd)
	budget := maxRemoteCandidates
	for _, md := range sd.MediaDescriptions {
		if md.Attributes, err = filterCandidates(md.Attributes, policy, &budget); err != nil {
			return nil, err
		}
	}
	o.candidates = maxRemoteCandidates - budget
	out, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	o.sdp = string(out)
	return o, nil
}

// bundleGroup returns the mids of the offer's BUNDLE group (RFC 8843 §7.2).
// WHEP requires max-bundle, so an offer without one is refused.
func bundleGroup(sd *sdp.SessionDescription) ([]string, error) {
	for _, a := range sd.Attributes {
		fields := strings.Fields(a.Value)
		if a.Key == "group" && len(fields) >= 2 && fields[0] == "BUNDLE" {
			return fields[1:], nil
		}
	}
	return nil, fmt.Errorf("%w: no BUNDLE group", ErrUnacceptable)
}

// addMedia checks one m-section and records it.
func (o *offer) addMedia(sd *sdp.SessionDescription, md *sdp.MediaDescription, bundle map[string]bool) error {
	kind := md.MediaName.Media
	var slot **offerMedia
	switch kind {
	case "video":
		slot = &o.video
	case "audio":
		slot = &o.audio
	default:
		return fmt.Errorf("%w: %.32q media section", ErrUnacceptable, kind)
	}
	if *slot != nil {
		return fmt.Errorf("%w: two %s m-lines", ErrUnacceptable, kind)
	}
	mid, ok := md.Attribute("mid")
	if !ok || mid == "" {
		return fmt.Errorf("%w: %s m-line without a mid", ErrBadOffer, kind)
	}
	if err := checkMediaSection(sd, md, kind); err != nil {
		return err
	}
	if !bundle[mid] {
		return fmt.Errorf("%w: %s m-line not in the BUNDLE group", ErrUnacceptable, kind)
	}
	codecs, err := mediaCodecs(md)
	if err != nil {
		return err
	}
	*slot = &offerMedia{mid: mid, codecs: codecs}
	if o.bundleMid == "" { // the first m-section's transport carries the bundle
		o.bundleMid = mid
		o.ufrag, _ = jsep.Attribute(sd, md, "ice-ufrag")
		o.pwd, _ = jsep.Attribute(sd, md, "ice-pwd")
	}
	return nil
}

// checkMediaSection checks the transport and direction of one m-section.
func checkMediaSection(sd *sdp.SessionDescription, md *sdp.MediaDescription, kind string) error {
	proto := strings.Join(md.MediaName.Protos, "/")
	if !strings.Contains(proto, "SAVPF") || !strings.Contains(proto, "TLS") {
		return fmt.Errorf("%w: %s transport %.40q is not DTLS-SRTP with feedback", ErrUnacceptable, kind, proto)
	}
	if dir := direction(sd, md); dir == "sendonly" || dir == "inactive" {
		return fmt.Errorf("%w: %s direction %s", ErrUnacceptable, kind, dir)
	}
	if _, ok := md.Attribute("rtcp-mux"); !ok {
		return fmt.Errorf("%w: %s m-line without rtcp-mux", ErrUnacceptable, kind)
	}
	if err := checkICECredentials(sd, md); err != nil {
		return err
	}
	if err := checkFingerprints(sd, md); err != nil {
		return err
	}
	return checkSetup(sd, md)
}

// direction returns the m-section's direction attribute, falling back to the
// session level and then to sendrecv (RFC 8866 §6.7).
func direction(sd *sdp.SessionDescription, md *sdp.MediaDescription) string {
	for _, attrs := range [][]sdp.Attribute{md.Attributes, sd.Attributes} {
		for _, a := range attrs {
			switch a.Key {
			case "sendrecv", "sendonly", "recvonly", "inactive":
				return a.Key
			}
		}
	}
	return "sendrecv"
}

// checkMediaStream refuses an offer whose m-sections name different
// MediaStreams (RFC 9725 §4.4.2 and draft-ietf-wish-whep "Single
// MediaStream": the tracks of a session are one MediaStream). An
// m-section without a=msid, or whose msid has no stream ("-", RFC 8830
// §2), names none.
func checkMediaStream(sd *sdp.SessionDescription) error {
	first := ""
	for _, md := range sd.MediaDescriptions {
		for _, a := range md.Attributes {
			if a.Key != "msid" {
				continue
			}
			id, _, _ := strings.Cut(strings.TrimSpace(a.Value), " ")
			switch {
			case id == "" || id == "-":
			case first == "":
				first = id
			case id != first:
				return fmt.Errorf("%w: m-lines of different MediaStreams (msid %.64q and %.64q)", ErrUnacceptable, first, id)
			}
		}
	}
	return nil
}

// receiveOnly makes every m-section of a checked offer recvonly: a viewer
// that offers sendrecv is answered sendonly (draft-ietf-wish-whep "Media
// Direction Attributes"; RFC 8829 §5.3.1), since the gateway never takes
// media from a viewer. pion would otherwise answer a sendrecv offer
// sendrecv.
func receiveOnly(sd *sdp.SessionDescription) {
	sd.Attributes = withoutDirection(sd.Attributes)
	for _, md := range sd.MediaDescriptions {
		md.Attributes = append(withoutDirection(md.Attributes), sdp.Attribute{Key: "recvonly"})
	}
}

// withoutDirection returns attrs without their direction attributes.
func withoutDirection(attrs []sdp.Attribute) []sdp.Attribute {
	out := attrs[:0]
	for _, a := range attrs {
		switch a.Key {
		case "sendrecv", "sendonly", "recvonly", "inactive":
			continue
		}
		out = append(out, a)
	}
	return out
}

// checkSetup refuses a=setup values an offer must not carry (RFC 8842 §5.2:
// the offerer uses actpass or active).
func checkSetup(sd *sdp.SessionDescription, md *sdp.MediaDescription) error {
	v, ok := jsep.Attribute(sd, md, "setup")
	switch {
	case !ok, v == "actpass", v == "active":
		return nil
	case v == "passive", v == "holdconn":
		return fmt.Errorf("%w: setup:%s in an offer", ErrBadOffer, v)
	}
	return fmt.Errorf("%w: setup %.16q", ErrBadOffer, v)
}
