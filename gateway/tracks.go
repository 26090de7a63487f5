package gateway

import (
	"fmt"
	"strings"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
	"mediagate.dev/mediagate/transcoder"
)

// newStream builds the hub's Stream for one [[stream]] table: a video and an
// audio Track with the codecs the sender pushes.
func (g *Gateway) newStream(sc config.Stream) *stream.Stream {
	var video, audio *stream.Track
	if v := sc.Video; v != nil {
		video = stream.NewTrack(stream.Video, videoCodec(v))
		video.SetGOPLimits(gopLimits(sc))
	}
	if a := sc.Audio; a != nil {
		audio = stream.NewTrack(stream.Audio, audioCodec(a))
	}
	st := stream.New(sc.Name, video, audio, g.bus)
	st.MaxViewers = sc.MaxViewers
	return st
}

// gopLimits is what a stream's video track remembers of its current GOP:
// nothing when its viewers wait for keyframes, else [stream.start]'s bounds.
func gopLimits(sc config.Stream) stream.GOPLimits {
	if sc.Start.Mode != config.StartBridge {
		return stream.GOPLimits{}
	}
	return stream.GOPLimits{MaxBytes: sc.Start.GOPMaxBytes, MaxDuration: sc.Start.GOPMaxDuration.D()}
}

func videoCodec(v *config.Video) stream.Codec {
	c := stream.Codec{ClockRate: uint32(v.ClockRate), PayloadType: uint8(v.PayloadType)}
	switch strings.ToLower(v.Codec) {
	case config.CodecH264:
		c.MimeType = codec.MimeH264
		c.Fmtp = codec.H264Fmtp(strings.ToLower(v.ProfileLevelID))
		if v.SpropParameterSets != "" {
			c.Fmtp += ";sprop-parameter-sets=" + v.SpropParameterSets
		}
	case config.CodecH265:
		c.MimeType = codec.MimeH265
		c.Fmtp = h265Fmtp(v)
	case config.CodecVP8:
		c.MimeType = codec.MimeVP8
	}
	return c
}

// h265Fmtp is an H.265 camera's fmtp (RFC 7798 §7.1): the profile, tier
// and level of its out-of-band SPS and its sprop parameters, or, without
// them, the Main profile and no level-id (unknown: egress then takes any
// level a viewer offers).
func h265Fmtp(v *config.Video) string {
	sprop := v.H265Fmtp()
	if sets, err := codec.ParseH265Sprop(sprop); err == nil {
		if sps, err := codec.ParseH265SPS(sets.SPS, codec.MaxSide); err == nil {
			return codec.H265Fmtp(sps.Profile) + ";" + sprop
		}
	}
	return "profile-id=1;tier-flag=0;tx-mode=SRST"
}

func audioCodec(a *config.Audio) stream.Codec {
	c := stream.Codec{ClockRate: uint32(a.ClockRate), Channels: uint16(a.Channels), PayloadType: uint8(a.PayloadType)}
	switch strings.ToLower(a.Codec) {
	case config.CodecOpus:
		c.MimeType = codec.MimeOpus
		c.Fmtp = codec.OpusFmtp
	case config.CodecPCMU:
		c.MimeType = codec.MimePCMU
	case config.CodecPCMA:
		c.MimeType = codec.MimePCMA
	case config.CodecAAC:
		c.MimeType = codec.MimeAAC
		c.Fmtp, _ = transcoder.AACFmtp(a.ClockRate, a.Channels)
	default:
		c.MimeType = fmt.Sprintf("audio/%s", a.Codec)
	}
	return c
}
