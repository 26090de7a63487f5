package config

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
)

// Dynamic RTP payload types (RFC 3551 §6).
const (
	minDynamicPT = 96
	maxPT        = 127
)

// H.264 NAL unit types of parameter sets (RFC 6184 §5.2; H.264 Table 7-1).
const (
	nalSPS = 7
	nalPPS = 8
)

func (v *Video) validate(p *problems, key string) {
	if !slices.Contains(videoCodecs, v.Codec) {
		p.add(key+".codec", "must be one of %s (got %s)", oneOf(videoCodecs), quote(v.Codec))
	}
	checkPT(p, key+".payload_type", v.PayloadType, false)
	if v.ClockRate != videoClockRate {
		p.add(key+".clock_rate", "must be %d for video (got %d)", videoClockRate, v.ClockRate)
	}
	if v.Codec != CodecH264 {
		if v.ProfileLevelID != "" {
			p.add(key+".profile_level_id", "applies only to h264")
		}
		if v.SpropParameterSets != "" {
			p.add(key+".sprop_parameter_sets", "applies only to h264")
		}
		return
	}
	if !isHex(v.ProfileLevelID, 6) {
		p.add(key+".profile_level_id", "must be 6 hex digits such as \"42e01f\" (got %s)", quote(v.ProfileLevelID))
	}
	if v.SpropParameterSets != "" {
		if err := checkSprop(v.SpropParameterSets); err != nil {
			p.add(key+".sprop_parameter_sets", "%v", err)
		}
	}
}

func (a *Audio) validate(p *problems, key string) {
	c, ok := audioCodecs[a.Codec]
	if !ok {
		p.add(key+".codec", "must be one of %s (got %s)", oneOf(sortedKeys(audioCodecs)), quote(a.Codec))
		checkPT(p, key+".payload_type", a.PayloadType, true)
		return
	}
	switch {
	case c.static && a.PayloadType == c.payloadType:
	case c.static && a.PayloadType >= 0 && a.PayloadType < minDynamicPT:
		p.add(key+".payload_type", "must be %d (static) or from %d to %d for %s (got %d)",
			c.payloadType, minDynamicPT, maxPT, a.Codec, a.PayloadType)
	default:
		checkPT(p, key+".payload_type", a.PayloadType, false)
	}
	if c.rates != nil {
		c.validateRates(p, key, a)
		return
	}
	if a.ClockRate != c.clockRate {
		p.add(key+".clock_rate", "must be %d for %s (got %d)", c.clockRate, a.Codec, a.ClockRate)
	}
	if a.Channels != c.channels {
		p.add(key+".channels", "must be %d for %s (got %d)", c.channels, a.Codec, a.Channels)
	}
}

// checkPT checks an RTP payload type: 0-127 when anyPT, else the dynamic
// range 96-127 that h264, vp8 and opus use.
func checkPT(p *problems, key string, pt int, anyPT bool) {
	switch {
	case pt < 0 || pt > maxPT:
		p.add(key, "must be from 0 to %d (got %d)", maxPT, pt)
	case !anyPT && pt < minDynamicPT:
		p.add(key, "must be a dynamic payload type, from %d to %d (got %d)", minDynamicPT, maxPT, pt)
	}
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// checkSprop checks sprop-parameter-sets (RFC 6184 §8.1): comma-separated
// base64 NAL units, an SPS first and a PPS second; any further ones must be
// parameter sets too.
func checkSprop(s string) error {
	parts := strings.Split(s, ",")
	if len(parts) < 2 {
		return fmt.Errorf("must be an SPS and a PPS, base64, comma separated (got %d part)", len(parts))
	}
	for i, part := range parts {
		nal, err := decodeBase64(part)
		if err != nil || len(nal) == 0 {
			return fmt.Errorf("part %d is not base64 of a NAL unit", i+1)
		}
		if nal[0]&0x80 != 0 {
			return fmt.Errorf("part %d has the forbidden_zero_bit set", i+1)
		}
		typ := nal[0] & 0x1F
		switch {
		case i == 0 && typ != nalSPS:
			return fmt.Errorf("part 1 must be an SPS (NAL type 7, got %d)", typ)
		case i == 1 && typ != nalPPS:
			return fmt.Errorf("part 2 must be a PPS (NAL type 8, got %d)", typ)
		case typ != nalSPS && typ != nalPPS:
			return fmt.Errorf("part %d must be an SPS or a PPS (NAL type 7 or 8, got %d)", i+1, typ)
		}
	}
	return nil
}

// decodeBase64 decodes standard base64 with or without padding.
func decodeBase64(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
