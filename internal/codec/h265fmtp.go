package codec

import (
	"fmt"
	"strconv"
	"strings"
)

// H.265 profiles and levels as RFC 7798 §7.1's fmtp parameters name them:
// profile-id is general_profile_idc, level-id is general_level_idc (thirty
// times the level number), tier-flag is general_tier_flag (H.265 Annex A).
const (
	// H265ProfileMain is the Main profile (profile-id 1), what browsers
	// that decode H.265 decode everywhere.
	H265ProfileMain = 1
	// H265ProfileMain10 is the Main 10 profile (profile-id 2).
	H265ProfileMain10 = 2
	// H265DefaultLevel is level 3.1, the level-id RFC 7798 §7.1 infers
	// when an fmtp has none.
	H265DefaultLevel = 93
)

// H265Profile is what an H.265 fmtp line says of the stream's decoding
// needs (RFC 7798 §7.1): profile, tier and level.
type H265Profile struct {
	// ProfileID is profile-id (general_profile_idc), 1 when absent.
	ProfileID int
	// TierFlag is tier-flag: 0 main tier, 1 high tier.
	TierFlag int
	// LevelID is level-id (general_level_idc), 93 when absent.
	LevelID int
}

// H265Fmtp returns the a=fmtp parameters of an H.265 format as WebRTC
// offers and answers them: level-id, profile-id, tier-flag and
// tx-mode=SRST, single-RTP-stream transmission (RFC 7798 §7.1).
func H265Fmtp(p H265Profile) string {
	return fmt.Sprintf("level-id=%d;profile-id=%d;tier-flag=%d;tx-mode=SRST", p.LevelID, p.ProfileID, p.TierFlag)
}

// ParseH265Profile reads profile-id, tier-flag and level-id from an H.265
// fmtp parameter string, with RFC 7798 §7.1's defaults for the absent ones
// (1, 0 and 93). A present parameter that is not a number in its range is
// an error wrapping ErrMalformed.
func ParseH265Profile(fmtp string) (H265Profile, error) {
	p := H265Profile{ProfileID: H265ProfileMain, LevelID: H265DefaultLevel}
	for _, f := range []struct {
		key string
		max int
		dst *int
	}{{"profile-id", 31, &p.ProfileID}, {"tier-flag", 1, &p.TierFlag}, {"level-id", 255, &p.LevelID}} {
		v, ok := FmtpParam(fmtp, f.key)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > f.max {
			return H265Profile{}, fmt.Errorf("%w: %s=%.16q", ErrMalformed, f.key, v)
		}
		*f.dst = n
	}
	return p, nil
}

// CheckH265Transmission refuses the H.265 fmtp parameters of a stream
// mediagate cannot depacketize: sprop-max-don-diff above 0 (the payloads
// would carry DONL and DOND fields and need reordering by decoding order,
// RFC 7798 §7.1, §6) and a tx-mode other than SRST (several RTP streams,
// §7.1). The error wraps ErrUnsupportedPayload.
func CheckH265Transmission(fmtp string) error {
	if v, ok := FmtpParam(fmtp, "sprop-max-don-diff"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 32767 {
			return fmt.Errorf("%w: sprop-max-don-diff=%.16q", ErrMalformed, v)
		}
		if n > 0 {
			return fmt.Errorf("%w: sprop-max-don-diff=%d (DONL reordering) is not supported", ErrUnsupportedPayload, n)
		}
	}
	if v, ok := FmtpParam(fmtp, "tx-mode"); ok && !strings.EqualFold(v, "SRST") {
		return fmt.Errorf("%w: tx-mode=%.8q (only SRST is supported)", ErrUnsupportedPayload, v)
	}
	return nil
}

// H265ParameterSets are the parameter sets an H.265 stream declares out
// of band: sprop-vps, sprop-sps and sprop-pps (RFC 7798 §7.1), each a
// whole NAL unit with its two-byte header.
type H265ParameterSets struct {
	VPS, SPS, PPS []byte
}

// NALUs returns the sets in decoding order, VPS first; nil when any is
// missing.
func (s H265ParameterSets) NALUs() [][]byte {
	if s.VPS == nil || s.SPS == nil || s.PPS == nil {
		return nil
	}
	return [][]byte{s.VPS, s.SPS, s.PPS}
}

// maxSpropUnits caps the comma-separated units of one sprop parameter.
const maxSpropUnits = 16

// ParseH265Sprop decodes sprop-vps, sprop-sps and sprop-pps from an H.265
// fmtp parameter string (RFC 7798 §7.1): base64 NAL units, comma separated;
// the first of each is kept. It returns ErrNoSprop when none of the three
// is present, and an error wrapping ErrBadSprop when a value is not base64,
// holds a NAL unit of another type or with the forbidden_zero_bit set, is
// longer than an SPS may be, or when one of the three is missing.
func ParseH265Sprop(fmtp string) (H265ParameterSets, error) {
	var s H265ParameterSets
	found := false
	for _, f := range []struct {
		key string
		typ uint8
		dst *[]byte
	}{{"sprop-vps", H265VPS, &s.VPS}, {"sprop-sps", H265SPS, &s.SPS}, {"sprop-pps", H265PPS, &s.PPS}} {
		v, ok := FmtpParam(fmtp, f.key)
		if !ok {
			continue
		}
		found = true
		nal, err := ParseH265SpropValue(v, f.typ)
		if err != nil {
			return H265ParameterSets{}, fmt.Errorf("%w: %s: %w", ErrBadSprop, f.key, err)
		}
		*f.dst = nal
	}
	if !found {
		return H265ParameterSets{}, ErrNoSprop
	}
	if s.NALUs() == nil {
		return H265ParameterSets{}, fmt.Errorf("%w: needs sprop-vps, sprop-sps and sprop-pps", ErrBadSprop)
	}
	return s, nil
}

// ParseH265SpropValue decodes the value of one of sprop-vps, sprop-sps
// and sprop-pps: base64 NAL units, comma separated, each of type typ (at
// most 16 units, each at most 4096 bytes), and returns the first.
func ParseH265SpropValue(v string, typ uint8) ([]byte, error) {
	parts := strings.Split(v, ",")
	if len(parts) > maxSpropUnits {
		return nil, fmt.Errorf("more than %d units", maxSpropUnits)
	}
	var first []byte
	for i, part := range parts {
		nal, err := decodeBase64(strings.TrimSpace(part))
		switch {
		case err != nil:
			return nil, fmt.Errorf("unit %d is not base64", i+1)
		case len(nal) < H265NALHeaderLen || len(nal) > maxSPSBytes:
			return nil, fmt.Errorf("unit %d of %d bytes", i+1, len(nal))
		case nal[0]&0x80 != 0:
			return nil, fmt.Errorf("unit %d has the forbidden_zero_bit set", i+1)
		case H265NALType(nal[0]) != typ:
			return nil, fmt.Errorf("unit %d is NAL type %d, not %d", i+1, H265NALType(nal[0]), typ)
		}
		if first == nil {
			first = nal
		}
	}
	return first, nil
}
