package jsep

import (
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/internal/codec"
)

// VideoFeedback is the RTCP feedback negotiated for every video codec, in
// both directions of the bridge (RFC 4585 §4.2 nack and nack pli, RFC 5104
// §7.1 ccm fir, goog-remb). There is no transport-cc: without TWCC feedback
// and its header extension, Chrome falls back to REMB, which the bandwidth
// estimation of this gateway consumes and produces. Do not modify it.
var VideoFeedback = []webrtc.RTCPFeedback{
	{Type: webrtc.TypeRTCPFBNACK},
	{Type: webrtc.TypeRTCPFBNACK, Parameter: "pli"},
	{Type: webrtc.TypeRTCPFBCCM, Parameter: "fir"},
	{Type: webrtc.TypeRTCPFBGoogREMB},
}

// CodecParameters returns a format of internal/codec's table as pion
// registers it, with the given RTCP feedback (VideoFeedback for video, nil
// for audio). Viewers and WHIP publishers register the same formats.
func CodecParameters(f codec.Format, feedback []webrtc.RTCPFeedback) webrtc.RTPCodecParameters {
	return webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: f.MimeType, ClockRate: f.ClockRate, Channels: f.Channels,
			SDPFmtpLine: f.Fmtp, RTCPFeedback: feedback,
		},
		PayloadType: webrtc.PayloadType(f.PayloadType),
	}
}
