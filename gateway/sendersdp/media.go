package sendersdp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/internal/codec"
)

// format is one payload type of an m-line with its rtpmap and fmtp values
// (after the payload type).
type format struct {
	pt     int
	rtpmap string // "H264/90000", "opus/48000/2"; empty for a static type without one
	fmtp   string // "packetization-mode=1;profile-level-id=42e01f"
}

// formats lists an m-line's payload types in the offered order (its
// preference, RFC 3264 §5.1) with their rtpmap and fmtp attributes.
func formats(m *sdp.MediaDescription) []format {
	out := make([]format, 0, len(m.MediaName.Formats))
	for _, f := range m.MediaName.Formats {
		pt, err := strconv.Atoi(f)
		if err != nil || pt < 0 || pt > 127 {
			continue
		}
		out = append(out, format{pt: pt, rtpmap: ptAttribute(m, "rtpmap", f), fmtp: ptAttribute(m, "fmtp", f)})
	}
	return out
}

// ptAttribute returns the value of the first "a=<key>:<pt> <value>".
func ptAttribute(m *sdp.MediaDescription, key, pt string) string {
	for _, a := range m.Attributes {
		if a.Key != key {
			continue
		}
		if p, v, ok := strings.Cut(a.Value, " "); ok && p == pt {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// encoding splits an rtpmap value into its lower-cased encoding name,
// clock rate and channel count (RFC 4566 §6, "rtpmap").
func encoding(rtpmap string) (name string, rate, channels int) {
	parts := strings.Split(rtpmap, "/")
	name = strings.ToLower(parts[0])
	if len(parts) > 1 {
		rate, _ = strconv.Atoi(parts[1])
	}
	channels = 1
	if len(parts) > 2 {
		channels, _ = strconv.Atoi(parts[2])
	}
	return name, rate, channels
}

// fmtpParams parses "a=b;c=d" into lower-cased keys and their values.
func fmtpParams(fmtp string) map[string]string {
	out := make(map[string]string)
	for p := range strings.SplitSeq(fmtp, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if k != "" {
			out[strings.ToLower(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// acceptVideo returns the stream video table for an offered format, or
// nil: H.264 in packetization mode 0 or 1 (RFC 6184 §8.1; mode 0 streams
// are valid mode 1 streams), H.265 without DONL in single-stream mode
// (RFC 7798 §7.1) and VP8 (RFC 7741 §6.1), at 90 kHz. An empty
// profile-level-id takes the stream default (config.Stream.FillDefaults):
// 42e01f, which browsers decode. An H.265 format the gateway cannot
// depacketize (sprop-max-don-diff > 0, another tx-mode) returns nil and
// the reason, wrapping ErrUnacceptable.
func acceptVideo(f format) (*config.Video, error) {
	name, rate, _ := encoding(f.rtpmap)
	if rate != 90000 {
		return nil, nil
	}
	if name == config.CodecH265 {
		return acceptH265(f)
	}
	v := &config.Video{PayloadType: f.pt, ClockRate: rate}
	switch name {
	case config.CodecVP8:
		v.Codec = config.CodecVP8
	case config.CodecH264:
		params := fmtpParams(f.fmtp)
		if mode := params["packetization-mode"]; mode != "" && mode != "0" && mode != "1" {
			return nil, nil
		}
		v.Codec = config.CodecH264
		v.ProfileLevelID = strings.ToLower(params["profile-level-id"])
		v.SpropParameterSets = params["sprop-parameter-sets"]
	default:
		return nil, nil
	}
	return v, nil
}

// acceptH265 is acceptVideo for an H.265 format (RFC 7798 §7.1): refused
// with DONL or several RTP streams, else taken with its sprop-vps,
// sprop-sps and sprop-pps (which config validates and the gateway inserts
// before keyframes that lack them).
func acceptH265(f format) (*config.Video, error) {
	if err := codec.CheckH265Transmission(f.fmtp); err != nil {
		return nil, fmt.Errorf("%w: payload type %d: %w", ErrUnacceptable, f.pt, err)
	}
	params := fmtpParams(f.fmtp)
	return &config.Video{PayloadType: f.pt, ClockRate: 90000, Codec: config.CodecH265,
		SpropVPS: params["sprop-vps"], SpropSPS: params["sprop-sps"], SpropPPS: params["sprop-pps"]}, nil
}

// staticAudio are the static payload types a sender may offer without an
// rtpmap (RFC 3551 §6).
var staticAudio = map[int]string{0: "pcmu/8000", 8: "pcma/8000"}

// acceptAudio returns the stream audio table for an offered format, or
// nil: Opus at 48000/2 (RFC 7587 §7) or G.711 at 8000 Hz, mono.
func acceptAudio(f format) *config.Audio {
	rtpmap := f.rtpmap
	if rtpmap == "" {
		rtpmap = staticAudio[f.pt]
	}
	name, rate, channels := encoding(rtpmap)
	a := &config.Audio{Codec: name, PayloadType: f.pt, ClockRate: rate, Channels: channels}
	switch {
	case name == config.CodecOpus && rate == 48000 && channels == 2:
	case (name == config.CodecPCMU || name == config.CodecPCMA) && rate == 8000 && channels == 1:
	default:
		return nil
	}
	return a
}
