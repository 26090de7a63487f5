package config

import "slices"

// Output is a stream's [stream.output] table: mediagate sends the stream's
// media as RTP, or SRTP when SRTP is set, to a receiver, and honours the
// RTCP that receiver sends back to the same socket (symmetric RTP, RFC 4961).
type Output struct {
	// Address is the receiver's "host:port"; RTCP is muxed on it (RFC 5761).
	Address string `toml:"address"`
	// Listen is the local address mediagate sends from and reads the
	// receiver's RTCP on; empty means any address and an ephemeral port.
	Listen string `toml:"listen"`
	// SRTP keys the output; its Key protects the media sent and the
	// receiver's SRTCP alike. SendKey does not apply.
	SRTP *SRTP `toml:"srtp"`
}

// validate checks o; key is its path, "stream[i].output".
func (o *Output) validate(p *problems, key string) {
	switch ep, err := parseEndpoint(o.Address); {
	case o.Address == "":
		p.add(key+".address", "required: the receiver's host:port, such as \"192.0.2.10:6000\"")
	case err != nil:
		p.add(key+".address", "%v", err)
	case ep.wildcard():
		p.add(key+".address", "must name the receiver's address, not %s", quote(o.Address))
	}
	if o.Listen != "" {
		if _, err := parseEndpoint(o.Listen); err != nil {
			p.add(key+".listen", "%v", err)
		}
	}
	if o.SRTP == nil {
		return
	}
	if o.SRTP.Suite == "" {
		o.SRTP.Suite = defaultSRTPSuite
	}
	o.SRTP.validate(p, key+".srtp")
	if o.SRTP.SendKey.IsSet() {
		p.add(key+".srtp.send_key", "does not apply to an output: key protects both directions")
	}
}

// validateWHIP checks a stream whose source is a WHIP publisher: it listens
// for nothing, needs a publish token, and takes codecs a browser sends.
func (s *Stream) validateWHIP(p *problems, key string) {
	if s.Source != SourceWHIP {
		return
	}
	for k, set := range map[string]bool{"listen": s.Listen != "", "rtcp_listen": s.RTCPListen != "", "srtp": s.SRTP != nil} {
		if set {
			p.add(key+"."+k, "applies only to source %q", SourceRTP)
		}
	}
	if !s.PublishToken.IsSet() {
		p.add(key+".publish_token", "required for source %q: the bearer token a publisher must present", SourceWHIP)
	}
	if s.Video != nil && !slices.Contains(videoCodecs, s.Video.Codec) {
		p.add(key+".video.codec", "must be one of %s for source %q (got %s)", oneOf(videoCodecs), SourceWHIP, quote(s.Video.Codec))
	}
	if s.Audio != nil && s.Audio.Codec != CodecOpus {
		p.add(key+".audio.codec", "must be %q for source %q (got %s)", CodecOpus, SourceWHIP, quote(s.Audio.Codec))
	}
	if s.Video != nil && s.Video.Codec == CodecH264 && s.Video.ProfileLevelID != defaultProfileLevelID {
		p.add(key+".video.profile_level_id", "must be %q for source %q: browsers publish constrained baseline (got %s)",
			defaultProfileLevelID, SourceWHIP, quote(s.Video.ProfileLevelID))
	}
	if s.Video != nil && (s.Video.SpropParameterSets != "" || s.Video.H265Fmtp() != "") {
		p.add(key+".video.sprop_parameter_sets", "does not apply to source %q (nor sprop_vps, sprop_sps, sprop_pps): the browser sends them in band", SourceWHIP)
	}
}

// checkPublishToken refuses a publish token on a stream nobody publishes to.
func (s *Stream) checkPublishToken(p *problems, key string) {
	if s.Source != SourceWHIP && s.PublishToken.IsSet() {
		p.add(key+".publish_token", "applies only to source %q", SourceWHIP)
	}
}
