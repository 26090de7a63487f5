package sendersdp

import (
	"fmt"
	"net/netip"
	"strings"

	"mediagate.dev/mediagate/gateway/config"
)

// Description is the gateway's side of a stream on its own: where a
// sender sends and how. It is the SDP of a configured stream and the
// gateway's offer for a sender to import.
type Description struct {
	// Name goes into the s= line.
	Name string
	// Addr is the address the gateway advertises; never unspecified.
	Addr netip.Addr
	// Port is the UDP port of RTP, and of RTCP unless RTCPPort is set.
	Port     int
	RTCPPort int
	// Video and Audio are the stream's tracks (nil for none).
	Video *config.Video
	Audio *config.Audio
	// Crypto is the SDES line to advertise; nil for plain RTP.
	Crypto *Crypto
}

// Marshal writes the description as SDP (RFC 4566): one m-line per track,
// RTP/SAVP with a=crypto when Crypto is set, else RTP/AVP.
func (d Description) Marshal() (string, error) {
	if !advertisable(d.Addr) {
		return "", fmt.Errorf("%w: %v", ErrNoAddress, d.Addr)
	}
	if d.Video == nil && d.Audio == nil {
		return "", fmt.Errorf("%w: a description needs a track", ErrUnacceptable)
	}
	proto := "RTP/AVP"
	if d.Crypto != nil {
		proto = "RTP/SAVP"
	}
	var w writer
	w.session(d.Name, d.Addr.Unmap())
	if v := d.Video; v != nil {
		w.line("m=video %d %s %d", d.Port, proto, v.PayloadType)
		w.line("a=rtpmap:%d %s/%d", v.PayloadType, rtpmapName(v.Codec), v.ClockRate)
		if fmtp := videoFmtp(v); fmtp != "" {
			w.line("a=fmtp:%d %s", v.PayloadType, fmtp)
		}
		d.trailer(&w)
	}
	if a := d.Audio; a != nil {
		w.line("m=audio %d %s %d", d.Port, proto, a.PayloadType)
		rtpmap := fmt.Sprintf("%s/%d", rtpmapName(a.Codec), a.ClockRate)
		if a.Channels > 1 {
			rtpmap += fmt.Sprintf("/%d", a.Channels)
		}
		w.line("a=rtpmap:%d %s", a.PayloadType, rtpmap)
		d.trailer(&w)
	}
	return w.b.String(), nil
}

// trailer writes the RTCP, direction and crypto attributes of an m-line.
func (d Description) trailer(w *writer) {
	w.receiving(d.Port, d.RTCPPort)
	if d.Crypto != nil {
		w.line("a=crypto:%s", d.Crypto.Attribute())
	}
}

// rtpmapName is a codec's encoding name as SDP writes it (RFC 6184 §8.1,
// RFC 7741 §6.1, RFC 7587 §7, RFC 3551 §6).
func rtpmapName(codec string) string {
	if codec == config.CodecOpus {
		return "opus"
	}
	return strings.ToUpper(codec)
}

// videoFmtp returns the fmtp parameters of a video track: for H.264 the
// packetization mode, profile-level-id and sprop-parameter-sets
// (RFC 6184 §8.1); for H.265 its sprop-vps, sprop-sps and sprop-pps
// (RFC 7798 §7.1; no sprop-max-don-diff: the gateway takes no DONL).
func videoFmtp(v *config.Video) string {
	if v.Codec == config.CodecH265 {
		return v.H265Fmtp()
	}
	if v.Codec != config.CodecH264 {
		return ""
	}
	fmtp := "packetization-mode=1"
	if v.ProfileLevelID != "" {
		fmtp += ";profile-level-id=" + v.ProfileLevelID
	}
	if v.SpropParameterSets != "" {
		fmtp += ";sprop-parameter-sets=" + v.SpropParameterSets
	}
	return fmtp
}
