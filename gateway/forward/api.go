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

// newAPI builds the webrtc.API of one forward session of st: the source
// tracks' own formats (payload type, fmtp), video with the feedback viewers
// get (nack, nack pli, ccm fir, goog-remb; no transport-cc, so the remote
// sends REMB), and a NACK responder (RFC 4585 §6.2.1) as the only
// interceptor: Sender Reports come from outbound.Track.
func newAPI(se webrtc.SettingEngine, st *stream.Stream) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	for _, t := range st.Tracks() {
		c := t.Codec
		kind, fb := webrtc.RTPCodecTypeAudio, []webrtc.RTCPFeedback(nil)
		if t.Kind == stream.Video {
			kind, fb = webrtc.RTPCodecTypeVideo, jsep.VideoFeedback
		}
		p := webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: c.MimeType, ClockRate: c.ClockRate,
				Channels: c.Channels, SDPFmtpLine: sdpFmtp(c), RTCPFeedback: fb},
			PayloadType: webrtc.PayloadType(c.PayloadType),
		}
		if err := me.RegisterCodec(p, kind); err != nil {
			return nil, fmt.Errorf("forward: register %s: %w", c.MimeType, err)
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
