package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Bounds Validate enforces on each stream.
const (
	maxNameLen          = 64
	maxViewersCap       = 100000
	minKeyframeInterval = 100 * time.Millisecond
	maxKeyframeInterval = time.Minute
	minRelatchAfter     = 100 * time.Millisecond
	maxRelatchAfter     = 10 * time.Minute
)

// validate checks one stream on its own; key is its path, "stream[i]".
// Names and ports, which must differ between streams, are checked by
// Config.validateNames and Config.validateBindings.
func (s *Stream) validate(p *problems, key string) {
	s.validateSource(p, key)
	for i, cidr := range s.AllowFrom {
		if err := checkPrefix(cidr); err != nil {
			p.add(fmt.Sprintf("%s.allow_from[%d]", key, i), "%v", err)
		}
	}
	p.oneOf(key+".latch", s.Latch, []string{LatchFirst, LatchStrict})
	p.durationIn(key+".relatch_after", s.RelatchAfter, minRelatchAfter, maxRelatchAfter)
	p.token(key+".viewer_token", s.ViewerToken)
	p.intIn(key+".max_viewers", s.MaxViewers, 1, maxViewersCap)
	p.oneOf(key+".keyframe_request", s.KeyframeRequest, []string{KeyframePLI, KeyframeFIR})
	p.durationIn(key+".keyframe_interval", s.KeyframeInterval, minKeyframeInterval, maxKeyframeInterval)
	if s.Video == nil && s.Audio == nil {
		p.add(key, "needs a [stream.video] table, a [stream.audio] table, or both")
	}
	if s.Video != nil {
		s.Video.validate(p, key+".video")
	}
	if s.Audio != nil {
		s.Audio.validate(p, key+".audio")
	}
	if s.Video != nil && s.Audio != nil && s.Video.PayloadType == s.Audio.PayloadType {
		p.add(key+".audio.payload_type", "%d is already the video payload type; they must differ",
			s.Audio.PayloadType)
	}
	if s.SRTP != nil {
		s.SRTP.validate(p, key+".srtp")
	}
	s.Transcode.validate(p, key+".transcode")
	s.REMB.validate(p, key+".remb")
	s.Start.validate(p, key+".start")
	if s.Output != nil {
		s.Output.validate(p, key+".output")
	}
	p.token(key+".publish_token", s.PublishToken)
	s.checkPublishToken(p, key)
	s.validateTestPattern(p, key)
	s.validateWHIP(p, key)
	s.validateWHEP(p, key)
	s.validateForwards(p, key)
}

// validateSource checks the source kind and the UDP addresses it needs.
func (s *Stream) validateSource(p *problems, key string) {
	src, known := sources[s.Source]
	if !known {
		p.add(key+".source", "must be one of %s (got %s)", oneOf(sortedKeys(sources)), quote(s.Source))
	}
	switch {
	case s.Listen != "":
		if _, err := parseEndpoint(s.Listen); err != nil {
			p.add(key+".listen", "%v", err)
		}
	case known && src.listens:
		p.add(key+".listen", "required for source %q: the UDP address the sender pushes to, such as \"0.0.0.0:5004\"",
			s.Source)
	}
	if s.RTCPListen != "" {
		if _, err := parseEndpoint(s.RTCPListen); err != nil {
			p.add(key+".rtcp_listen", "%v", err)
		}
	}
}

// checkPrefix accepts an IPv4 or IPv6 CIDR such as "192.0.2.0/24".
func checkPrefix(s string) error {
	if _, err := netip.ParsePrefix(s); err == nil {
		return nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return fmt.Errorf("must be a CIDR; for this one address write %q", netip.PrefixFrom(a, a.BitLen()).String())
	}
	return fmt.Errorf("must be a CIDR such as \"192.0.2.0/24\" or \"2001:db8::/32\" (got %s)", quote(s))
}

// validateNames checks that every stream has a distinct name that is safe in
// a URL path (/whep/<name>), in metrics labels and in logs.
func (c *Config) validateNames(p *problems) {
	first := make(map[string]int, len(c.Streams))
	for i, s := range c.Streams {
		key := fmt.Sprintf("stream[%d].name", i)
		if err := checkName(s.Name); err != nil {
			p.add(key, "%v", err)
			continue
		}
		if j, dup := first[s.Name]; dup {
			p.add(key, "%s is already the name of stream[%d]", quote(s.Name), j)
			continue
		}
		first[s.Name] = i
	}
}

func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("required")
	case len(name) > maxNameLen:
		return fmt.Errorf("must be at most %d characters (got %d)", maxNameLen, len(name))
	case strings.Trim(name, ".") == "":
		return fmt.Errorf("must not be only dots (got %s)", quote(name))
	}
	for _, r := range name {
		if !nameRune(r) {
			return fmt.Errorf("may hold only letters, digits, '_', '.' and '-' (got %s)", quote(name))
		}
	}
	return nil
}

func nameRune(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
		r == '_' || r == '.' || r == '-'
}
