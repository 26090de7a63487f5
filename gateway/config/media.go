package config

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"mediagate.dev/mediagate/internal/codec"
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
	}
	if v.Codec != CodecH265 {
		for _, k := range []struct {
			name string
			set  bool
		}{{"sprop_vps", v.SpropVPS != ""}, {"sprop_sps", v.SpropSPS != ""}, {"sprop_pps", v.SpropPPS != ""}} {
			if k.set {
				p.add(key+"."+k.name, "applies only to h265")
			}
		}
	}
	switch v.Codec {
	case CodecH264:
		v.validateH264(p, key)
	case CodecH265:
		v.validateH265(p, key)
	}
}

// validateH264 checks the H.264 parameters of a video table.
func (v *Video) validateH264(p *problems, key string) {
	if !isHex(v.ProfileLevelID, 6) {
		p.add(key+".profile_level_id", "must be 6 hex digits such as \"42e01f\" (got %s)", quote(v.ProfileLevelID))
	}
	if v.SpropParameterSets != "" {
		if err := checkSprop(v.SpropParameterSets); err != nil {
			p.add(key+".sprop_parameter_sets", "%v", err)
		}
	}
}

// validateH265 checks the out-of-band parameter sets of an H.265 video
// table: all three or none, each base64 NAL units of its type, the SPS one
// whose picture mediagate can size (RFC 7798 §7.1; H.265 §7.3.2.2).
func (v *Video) validateH265(p *problems, key string) {
	if v.H265Fmtp() == "" {
		return
	}
	for _, f := range []struct {
		key, value string
		typ        uint8
	}{{"sprop_vps", v.SpropVPS, codec.H265VPS}, {"sprop_sps", v.SpropSPS, codec.H265SPS}, {"sprop_pps", v.SpropPPS, codec.H265PPS}} {
		if f.value == "" {
			p.add(key+"."+f.key, "required with the other sprop keys: sprop_vps, sprop_sps and sprop_pps go together")
			continue
		}
		nal, err := codec.ParseH265SpropValue(f.value, f.typ)
		if err != nil {
			p.add(key+"."+f.key, "%v", err)
			continue
		}
		if f.typ == codec.H265SPS {
			if _, err := codec.ParseH265SPS(nal, codec.MaxSide); err != nil {
				p.add(key+"."+f.key, "%v", err)
			}
		}
	}
}

// H265Fmtp returns the sprop-vps, sprop-sps and sprop-pps parameters of an
// H.265 video table as an fmtp fragment ("sprop-vps=…;sprop-sps=…;
// sprop-pps=…"), or "" when it has none.
func (v *Video) H265Fmtp() string {
	var parts []string
	for _, p := range [][2]string{{"sprop-vps", v.SpropVPS}, {"sprop-sps", v.SpropSPS}, {"sprop-pps", v.SpropPPS}} {
		if p[1] != "" {
			parts = append(parts, p[0]+"="+p[1])
		}
	}
	return strings.Join(parts, ";")
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
