package whip

import (
	"fmt"
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/signal/jsep"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// codecs returns, with the RTCP feedback viewers get (no transport-cc, so
// that Chrome's sender follows REMB), the formats a publisher to video may
// send, as internal/codec's table registers them (an answer uses the
// offer's payload types): the stream's video codec, if it has video, and
// Opus. H.264 is the table's one format, packetization mode 1 (RFC 6184
// §6.3), constrained baseline, which every browser encodes and every
// viewer decodes. H.265 is the table's Main profile, main tier, in
// single-stream transmission (RFC 7798 §7.1), which a browser with an
// H.265 encoder offers; pion matches it on profile and tier, any level.
func codecs(video *stream.Track) (vid, aud []webrtc.RTPCodecParameters, err error) {
	if video != nil {
		switch mime := video.Codec.MimeType; {
		case strings.EqualFold(mime, codec.MimeH264):
			vid = append(vid, jsep.CodecParameters(codec.H264Format, jsep.VideoFeedback))
		case strings.EqualFold(mime, codec.MimeH265):
			vid = append(vid, jsep.CodecParameters(codec.H265Format, jsep.VideoFeedback))
		case strings.EqualFold(mime, codec.MimeVP8):
			vid = append(vid, jsep.CodecParameters(codec.VP8Format, jsep.VideoFeedback))
		default:
			return nil, nil, fmt.Errorf("%w: the stream's video is %s; WHIP takes H.264, H.265 or VP8", ErrUnacceptable, strings.ToLower(mime))
		}
	}
	aud = append(aud, jsep.CodecParameters(codec.OpusFormat, nil))
	return vid, aud, nil
}

// newAPI builds the webrtc.API of one publisher to st: its formats, the
// abs-send-time header extension on video, and an interceptor chain with a
// NACK generator (RFC 4585 §6.2.1) and receiver reports (RFC 3550 §6.4.2),
// the loss feedback Chrome's sender needs besides REMB. se carries the
// shared ICE sockets.
func newAPI(se webrtc.SettingEngine, st *stream.Stream) (*webrtc.API, error) {
	vid, aud, err := codecs(st.Video)
	if err != nil {
		return nil, err
	}
	me := &webrtc.MediaEngine{}
	for _, c := range vid {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return nil, fmt.Errorf("whip: register %s: %w", c.MimeType, err)
		}
	}
	for _, c := range aud {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("whip: register %s: %w", c.MimeType, err)
		}
	}
	ext := webrtc.RTPHeaderExtensionCapability{URI: sdp.ABSSendTimeURI}
	if err := me.RegisterHeaderExtension(ext, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, fmt.Errorf("whip: register abs-send-time: %w", err)
	}
	ir, err := newInterceptors(se)
	if err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir)), nil
}

// newInterceptors builds the receive-side chain, logging through the
// SettingEngine's logger factory when it has one.
func newInterceptors(se webrtc.SettingEngine) (*interceptor.Registry, error) {
	var genOpts []nack.GeneratorOption
	var repOpts []report.ReceiverOption
	if lf := se.LoggerFactory; lf != nil {
		genOpts = append(genOpts, nack.GeneratorLog(lf.NewLogger("whip-nack")))
		repOpts = append(repOpts, report.WithReceiverLoggerFactory(lf))
	}
	gen, err := nack.NewGeneratorInterceptor(genOpts...)
	if err != nil {
		return nil, fmt.Errorf("whip: nack generator: %w", err)
	}
	rr, err := report.NewReceiverInterceptor(repOpts...)
	if err != nil {
		return nil, fmt.Errorf("whip: receiver reports: %w", err)
	}
	ir := &interceptor.Registry{}
	ir.Add(gen)
	ir.Add(rr)
	return ir, nil
}
