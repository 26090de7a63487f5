package egress

import (
	"fmt"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/internal/codec"

	"mediagate.dev/mediagate/gateway/signal/jsep"
)

// h264Profiles are the profile-level-ids registered for H.264, packetization
// mode 1 (RFC 6184 §8.1): constrained baseline (internal/codec's default),
// baseline, main, constrained high and high. pion matches an offered
// profile-level-id on its first two bytes (profile_idc and the constraint
// flags), ignoring the level.
var h264Profiles = []string{codec.H264DefaultProfile, "42001f", "4d001f", "640c1f", "64001f"}

// registeredCodecs returns every payload format the gateway can send, with
// payload types that matter only for offers the gateway would make: VP8,
// H.264 in each of h264Profiles and H.265 in each of h265Profiles under
// every other payload type from the table's, Opus and G.711.
func registeredCodecs() (video, audio []webrtc.RTPCodecParameters) {
	video = append(video, jsep.CodecParameters(codec.VP8Format, jsep.VideoFeedback))
	for i, p := range h264Profiles {
		f := codec.H264Format
		f.PayloadType += uint8(2 * i)
		f.Fmtp = codec.H264Fmtp(p)
		video = append(video, jsep.CodecParameters(f, jsep.VideoFeedback))
	}
	for i, p := range h265Profiles {
		f := codec.H265Format
		f.PayloadType += uint8(2 * i)
		f.Fmtp = codec.H265Fmtp(codec.H265Profile{ProfileID: p, LevelID: codec.H265DefaultLevel})
		video = append(video, jsep.CodecParameters(f, jsep.VideoFeedback))
	}
	audio = []webrtc.RTPCodecParameters{
		jsep.CodecParameters(codec.OpusFormat, nil),
		jsep.CodecParameters(codec.PCMUFormat, nil),
		jsep.CodecParameters(codec.PCMAFormat, nil),
	}
	return video, audio
}

// newMediaEngine registers the gateway's codecs and no header extension.
func newMediaEngine() (*webrtc.MediaEngine, error) {
	m := &webrtc.MediaEngine{}
	video, audio := registeredCodecs()
	for _, c := range video {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return nil, fmt.Errorf("register %s: %w", c.MimeType, err)
		}
	}
	for _, c := range audio {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("register %s: %w", c.MimeType, err)
		}
	}
	return m, nil
}

// newInterceptors builds the interceptor chain explicitly, and it is
// empty: no NACK responder (egress answers NACKs from each track's
// reference history, retransmit.go, instead of a copy of every packet), no
// report interceptor (egress sends its own Sender Reports, derived from the
// source's clock), no NACK generator and no TWCC (egress receives no
// media). pion's default registry would add them all.
func newInterceptors() *interceptor.Registry { return &interceptor.Registry{} }
