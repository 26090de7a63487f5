package gateway

import (
	"fmt"
	"strings"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/transcoder"
)

// newStream builds the hub's Stream for one [[stream]] table: a video and an
// audio Track with the codecs the sender pushes.
func (g *Gateway) newStream(sc config.Stream) *stream.Stream {
	var video, audio *stream.Track
	if v := sc.Video; v != nil {
		video = stream.NewTrack(stream.Video, videoCodec(v))
	}
	if a := sc.Audio; a != nil {
		audio = stream.NewTrack(stream.Audio, audioCodec(a))
	}
	st := stream.New(sc.Name, video, audio, g.bus)
	st.MaxViewers = sc.MaxViewers
	return st
}

func videoCodec(v *config.Video) stream.Codec {
	c := stream.Codec{ClockRate: uint32(v.ClockRate), PayloadType: uint8(v.PayloadType)}
	switch strings.ToLower(v.Codec) {
	case "h264":
		c.MimeType = "video/H264"
		c.Fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" + strings.ToLower(v.ProfileLevelID)
		if v.SpropParameterSets != "" {
			c.Fmtp += ";sprop-parameter-sets=" + v.SpropParameterSets
		}
	case "vp8":
		c.MimeType = "video/VP8"
	}
	return c
}

func audioCodec(a *config.Audio) stream.Codec {
	c := stream.Codec{ClockRate: uint32(a.ClockRate), Channels: uint16(a.Channels), PayloadType: uint8(a.PayloadType)}
	switch strings.ToLower(a.Codec) {
	case "opus":
		c.MimeType = "audio/opus"
		c.Fmtp = "minptime=10;useinbandfec=1"
	case "pcmu":
		c.MimeType = "audio/PCMU"
	case "pcma":
		c.MimeType = "audio/PCMA"
	case config.CodecAAC:
		c.MimeType = transcoder.AAC
		c.Fmtp, _ = transcoder.AACFmtp(a.ClockRate, a.Channels)
	default:
		c.MimeType = fmt.Sprintf("audio/%s", a.Codec)
	}
	return c
}
