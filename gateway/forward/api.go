package forward

import (
	"fmt"
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/signal/jsep"
	"mediagate.dev/mediagate/gateway/stream"
)

// newAPI builds the webrtc.API of one forward session: the codecs offered
// per track (the source's own format with its payload type and fmtp, and
// the renditions' formats after a refusal), video with the feedback viewers
// get (nack, nack pli, ccm fir, goog-remb; no transport-cc, so the remote
// sends REMB), and a NACK responder (RFC 4585 §6.2.1) as the only
// interceptor: Sender Reports come from outbound.Track.
func newAPI(se webrtc.SettingEngine, offers map[stream.Kind][]stream.Codec) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	for k, codecs := range offers {
		kind, fb := webrtc.RTPCodecTypeAudio, []webrtc.RTCPFeedback(nil)
		if k == stream.Video {
			kind, fb = webrtc.RTPCodecTypeVideo, jsep.VideoFeedback
		}
		for _, c := range codecs {
			p := webrtc.RTPCodecParameters{
				RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: c.MimeType, ClockRate: c.ClockRate,
					Channels: c.Channels, SDPFmtpLine: sdpFmtp(c), RTCPFeedback: fb},
				PayloadType: webrtc.PayloadType(c.PayloadType),
			}
			if err := me.RegisterCodec(p, kind); err != nil {
				return nil, fmt.Errorf("forward: register %s: %w", c.MimeType, err)
			}
		}
	}
	var opts []nack.ResponderOption
	if lf := se.LoggerFactory; lf != nil {
		opts = append(opts, nack.ResponderLog(lf.NewLogger("forward-nack")))
	}
	resp, err := nack.NewResponderInterceptor(opts...)
	if err != nil {
		return nil, fmt.Errorf("forward: nack responder: %w", err)
	}
	ir := &interceptor.Registry{}
	ir.Add(resp)
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir)), nil
}

// sdpFmtp is the track's fmtp without sprop-parameter-sets: the parameter
// sets go in band before keyframes (outbound.Track), and some SFUs refuse
// a long fmtp.
func sdpFmtp(c stream.Codec) string {
	var keep []string
	for _, p := range strings.Split(c.Fmtp, ";") {
		if p = strings.TrimSpace(p); p != "" && !strings.HasPrefix(strings.ToLower(p), "sprop-parameter-sets=") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ";")
}
