package egress

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/signal/jsep"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// trackPlan is what one source track will be sent as to one viewer.
type trackPlan struct {
	src *stream.Track
	mid string
	// prefer lists the offered payload formats the source can be sent as,
	// best first; the answer carries exactly these.
	prefer []webrtc.RTPCodecParameters
	// offeredProfiles are the H.264 profile_idc values the viewer offered.
	offeredProfiles map[uint8]bool
	// mismatch is set when the source's H.264 profile is known and no
	// offered profile can decode it; the stream is passed through anyway.
	mismatch bool
	// requestKeyframe asks src's producer for a keyframe: the camera, or a
	// rendition's encoder. joinKeyframe asks for the keyframe a joining
	// viewer starts on: at once, within the stream's join budget
	// (stream.Stream.RequestKeyframeForJoin); nil means requestKeyframe.
	requestKeyframe func()
	joinKeyframe    func()
	// bridge is the format an H.265 source's bridge is sent in: an H.264
	// format the viewer offered too (answered after the H.265 ones), or
	// nil. The bridge of an H.264 or VP8 source is in the source's format.
	bridge *webrtc.RTPCodecParameters
	// rendition is the transcoded rendition src belongs to, or nil for the
	// source itself; release gives it back when the viewer leaves.
	rendition *stream.Rendition
	release   func()
}

// requestJoinKeyframe asks src's producer for a joining viewer's keyframe.
func (p *trackPlan) requestJoinKeyframe() {
	if p.joinKeyframe != nil {
		p.joinKeyframe()
		return
	}
	p.requestKeyframe()
}

// planTrack matches a source track with the viewer's m-section for its kind.
func planTrack(src *stream.Track, m *offerMedia) (*trackPlan, error) {
	p := &trackPlan{src: src, mid: m.mid, offeredProfiles: map[uint8]bool{}}
	var offered []offeredCodec
	for _, c := range m.codecs {
		if compatible(src.Codec, c) {
			offered = append(offered, c)
			if prof, _, _, ok := codec.ProfileLevelID(c.fmtp); ok {
				p.offeredProfiles[prof] = true
			}
		}
	}
	if len(offered) == 0 {
		return nil, fmt.Errorf("%w: no common %s codec (the stream sends %s)", ErrUnacceptable, src.Kind, src.Codec.MimeType)
	}
	if isH264(src.Codec.MimeType) {
		p.mismatch = rankH264(src.Codec, offered)
	}
	for _, c := range offered {
		p.prefer = append(p.prefer, c.parameters(src.Kind))
	}
	if strings.EqualFold(src.Codec.MimeType, codec.MimeH265) {
		p.addBridgeFormat(m)
	}
	return p, nil
}

// addBridgeFormat answers, after an H.265 source's formats, the first
// H.264 format the viewer offered, in which a viewer who joins between
// the camera's keyframes gets the bridge's pictures (the gateway encodes
// H.264, not H.265); the payload type tells the browser which decoder a
// packet is for.
func (p *trackPlan) addBridgeFormat(m *offerMedia) {
	h264 := stream.Codec{MimeType: webrtc.MimeTypeH264}
	for _, c := range m.codecs {
		if !compatible(h264, c) {
			continue
		}
		f := c.parameters(stream.Video)
		p.bridge = &f
		p.prefer = append(p.prefer, f)
		if prof, _, _, ok := codec.ProfileLevelID(c.fmtp); ok {
			p.offeredProfiles[prof] = true
		}
		return
	}
}

func isH264(mime string) bool { return strings.EqualFold(mime, webrtc.MimeTypeH264) }

// compatible reports whether an offered format can carry the source's
// payload unchanged, mirroring how pion matches it to a registered codec.
func compatible(src stream.Codec, c offeredCodec) bool {
	if !strings.EqualFold(c.mime, src.MimeType) {
		return false
	}
	switch strings.ToLower(c.mime) {
	case "video/h264":
		mode, _ := codec.FmtpParam(c.fmtp, "packetization-mode")
		return mode == "1" && registeredH264Profile(c.fmtp)
	case "video/h265":
		return c.clock == 90000 && h265Compatible(src.Fmtp, c.fmtp)
	case "video/vp8":
		return c.clock == 90000
	case "audio/opus":
		return c.clock == 48000 && c.channels == 2
	case "audio/pcmu", "audio/pcma":
		return c.clock == 8000
	}
	return false
}

// registeredH264Profile reports whether fmtp's profile-level-id matches one
// of h264Profiles on profile_idc and constraint flags.
func registeredH264Profile(fmtp string) bool {
	p, cs, _, ok := codec.ProfileLevelID(fmtp)
	if !ok {
		return false
	}
	for _, r := range h264Profiles {
		b, _ := hex.DecodeString(r)
		if b[0] == p && b[1] == cs {
			return true
		}
	}
	return false
}

// sourceProfile returns the source's H.264 profile_idc and constraint flags
// from its profile-level-id, or else from the SPS in its sprop-parameter-sets.
func sourceProfile(c stream.Codec) (profile, constraints uint8, ok bool) {
	if p, cs, _, ok := codec.ProfileLevelID(c.Fmtp); ok {
		return p, cs, true
	}
	sps, _, err := codec.ParseSprop(c.Fmtp)
	if err != nil {
		return 0, 0, false
	}
	p, cs, _, _, _, err := codec.H264SPSInfo(sps)
	return p, cs, err == nil
}

// constrainedBaseline is constraint_set1_flag on a baseline profile_idc: a
// stream any main or high decoder can also decode (H.264 §A.2.1).
const constrainedBaseline = 0x40

// rankH264 orders the offered H.264 formats, best first: the source's exact
// profile, then its profile_idc, then a profile whose decoders also decode
// it, then the viewer's own order. It reports a mismatch when the source's
// profile is known and nothing offered decodes it.
func rankH264(src stream.Codec, offered []offeredCodec) bool {
	sp, scs, known := sourceProfile(src)
	if !known {
		return false
	}
	score := func(c offeredCodec) int {
		p, cs, _, _ := codec.ProfileLevelID(c.fmtp)
		switch {
		case p == sp && cs == scs:
			return 3
		case p == sp:
			return 2
		case sp == 66 && scs&constrainedBaseline != 0 && (p == 77 || p == 100):
			return 1
		}
		return 0
	}
	sort.SliceStable(offered, func(i, j int) bool { return score(offered[i]) > score(offered[j]) })
	return score(offered[0]) == 0
}

// parameters turns an offered format into the codec pion answers with: the
// viewer's payload type and fmtp, the gateway's RTCP feedback.
func (c offeredCodec) parameters(kind stream.Kind) webrtc.RTPCodecParameters {
	p := webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: c.mime, ClockRate: c.clock, SDPFmtpLine: c.fmtp,
		},
		PayloadType: webrtc.PayloadType(c.pt),
	}
	if kind == stream.Video {
		p.RTCPFeedback = jsep.VideoFeedback
	} else {
		p.Channels = c.channels
	}
	return p
}
