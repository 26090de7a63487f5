package codec

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// H.264 NAL unit header fields (RFC 6184 §1.3, §5.3).
const (
	naluTypeMask = 0x1f
	naluNRIMask  = 0x60
	naluFBit     = 0x80
	// maxSTAPUnit is the largest unit a STAP-A size field can describe.
	maxSTAPUnit = 0xffff
)

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
		switch nalu[0] & naluTypeMask {
		case naluSPS:
			if sps == nil {
				sps = nalu
			}
		case naluPPS:
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

// BuildSTAPA aggregates NAL units into one STAP-A payload (RFC 6184 §5.7.1):
// a STAP-A NAL header whose F bit is the OR of the units' F bits and whose
// NRI is their maximum, then each unit preceded by its 16-bit size. It
// returns nil when no unit is given or a unit is empty or longer than 65535
// bytes.
func BuildSTAPA(nalus ...[]byte) []byte {
	if len(nalus) == 0 {
		return nil
	}
	size := 1
	var f, nri byte
	for _, n := range nalus {
		if len(n) == 0 || len(n) > maxSTAPUnit {
			return nil
		}
		size += 2 + len(n)
		f |= n[0] & naluFBit
		nri = max(nri, n[0]&naluNRIMask)
	}
	out := make([]byte, 0, size)
	out = append(out, f|nri|naluSTAPA)
	for _, n := range nalus {
		out = append(out, byte(len(n)>>8), byte(len(n)))
		out = append(out, n...)
	}
	return out
}

// PayloadSPS returns the SPS NAL unit an H.264 RTP payload carries, either as
// a single NAL unit packet or inside a STAP-A (RFC 6184 §5.6, §5.7.1), or nil.
// The result aliases payload. Fragmented SPS units are not reassembled.
func PayloadSPS(payload []byte) []byte {
	if len(payload) == 0 {
		return nil
	}
	switch payload[0] & naluTypeMask {
	case naluSPS:
		return payload
	case naluSTAPA:
		for rest := payload[1:]; len(rest) >= 2; {
			n := int(rest[0])<<8 | int(rest[1])
			rest = rest[2:]
			if n == 0 || n > len(rest) {
				return nil
			}
			if rest[0]&naluTypeMask == naluSPS {
				return rest[:n:n]
			}
			rest = rest[n:]
		}
	}
	return nil
}
