package codec

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// h264FmtpPrefix is the fmtp every H.264 format mediagate offers or carries
// starts with: packetization mode 1 (RFC 6184 §6.3) and level asymmetry
// allowed (§8.1), before its profile-level-id.
const h264FmtpPrefix = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id="

// H264Fmtp returns the a=fmtp parameters of an H.264 format in
// packetization mode 1 with the given profile-level-id (six hex digits,
// RFC 6184 §8.1), such as H264Fmtp("42e01f") for constrained baseline.
func H264Fmtp(profileLevelID string) string {
	return h264FmtpPrefix + profileLevelID
}

// FmtpParam returns the value of the parameter key (case-insensitive) in an
// a=fmtp parameter string such as "packetization-mode=1;profile-level-id=42e01f".
func FmtpParam(fmtp, key string) (string, bool) {
	for _, param := range strings.Split(fmtp, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// ProfileLevelID parses the profile-level-id parameter of an H.264 fmtp
// string (RFC 6184 §8.1): profile_idc, the constraint_set flags byte and
// level_idc. ok is false when the parameter is absent or not six hex digits.
func ProfileLevelID(fmtp string) (profile, constraints, level uint8, ok bool) {
	v, found := FmtpParam(fmtp, "profile-level-id")
	if !found || len(v) != 6 {
		return 0, 0, 0, false
	}
	b, err := hex.DecodeString(v)
	if err != nil {
		return 0, 0, 0, false
	}
	return b[0], b[1], b[2], true
}

// ParseSprop decodes sprop-parameter-sets (RFC 6184 §8.1) into the first SPS
// and the first PPS it carries, each a whole NAL unit with its header byte.
// s is either a complete fmtp parameter string or the parameter's value
// ("Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg=="). Missing padding is tolerated.
func ParseSprop(s string) (sps, pps []byte, err error) {
	value := s
	if looksLikeFmtp(s) {
		v, ok := FmtpParam(s, "sprop-parameter-sets")
		if !ok {
			return nil, nil, ErrNoSprop
		}
		value = v
	}
	for _, part := range strings.Split(value, ",") {
		nalu, err := decodeBase64(strings.TrimSpace(part))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrBadSprop, err)
		}
		if len(nalu) == 0 {
			continue
		}
		switch H264NALType(nalu[0]) {
		case H264SPS:
			if sps == nil {
				sps = nalu
			}
		case H264PPS:
			if pps == nil {
				pps = nalu
			}
		}
	}
	if sps == nil || pps == nil {
		return nil, nil, fmt.Errorf("%w: needs one SPS and one PPS", ErrBadSprop)
	}
	return sps, pps, nil
}

// looksLikeFmtp tells an fmtp parameter string from a bare sprop value: the
// standard base64 alphabet has neither '-' (every H.264 fmtp key has one) nor
// ';' (the parameter separator).
func looksLikeFmtp(s string) bool {
	return strings.ContainsAny(s, "-;")
}

func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
