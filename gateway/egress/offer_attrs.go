package egress

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"mediagate.dev/mediagate/gateway/signal/jsep"
)

// ICE credential lengths (RFC 8839 §5.4).
const (
	minUfrag = 4
	minPwd   = 22
	maxICE   = 256
)

// fingerprintLen is the digest length of each hash function accepted for the
// DTLS certificate fingerprint (RFC 8122 §5). SHA-1 and MD5 are refused
// (RFC 8827 §6.5 requires SHA-256 support; weaker hashes are not enough).
var fingerprintLen = map[string]int{"sha-256": 32, "sha-384": 48, "sha-512": 64}

// weakFingerprints are hash functions recognised but refused.
var weakFingerprints = map[string]bool{"sha-1": true, "md5": true, "md2": true, "sha-224": true}

// checkICECredentials checks ice-ufrag and ice-pwd of one m-section: both
// present, of legal length, made of ice-chars (RFC 8839 §5.4).
func checkICECredentials(sd *sdp.SessionDescription, md *sdp.MediaDescription) error {
	ufrag, _ := jsep.Attribute(sd, md, "ice-ufrag")
	pwd, _ := jsep.Attribute(sd, md, "ice-pwd")
	return validICECredentials(ufrag, pwd)
}

func validICECredentials(ufrag, pwd string) error {
	if len(ufrag) < minUfrag || len(ufrag) > maxICE || !isICEChars(ufrag) {
		return fmt.Errorf("%w: ice-ufrag must be %d to %d ice-chars", ErrBadOffer, minUfrag, maxICE)
	}
	if len(pwd) < minPwd || len(pwd) > maxICE || !isICEChars(pwd) {
		return fmt.Errorf("%w: ice-pwd must be %d to %d ice-chars", ErrBadOffer, minPwd, maxICE)
	}
	return nil
}

func isICEChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/'
		if !ok {
			return false
		}
	}
	return true
}

// checkFingerprints requires at least one well-formed certificate
// fingerprint with a strong hash for the m-section, taken from the media
// level when it has any and from the session level otherwise (RFC 8122 §5).
func checkFingerprints(sd *sdp.SessionDescription, md *sdp.MediaDescription) error {
	attrs := fingerprintValues(md.Attributes)
	if len(attrs) == 0 {
		attrs = fingerprintValues(sd.Attributes)
	}
	strong := false
	for _, v := range attrs {
		hash, digest, ok := strings.Cut(strings.TrimSpace(v), " ")
		hash = strings.ToLower(hash)
		n, known := fingerprintLen[hash]
		switch {
		case !ok:
			return fmt.Errorf("%w: fingerprint without a digest", ErrBadOffer)
		case weakFingerprints[hash]:
			continue
		case !known:
			return fmt.Errorf("%w: fingerprint hash %.16q", ErrBadOffer, hash)
		}
		if !validDigest(strings.TrimSpace(digest), n) {
			return fmt.Errorf("%w: %s fingerprint is not %d hex bytes", ErrBadOffer, hash, n)
		}
		strong = true
	}
	if !strong {
		return fmt.Errorf("%w: no sha-256/384/512 certificate fingerprint", ErrBadOffer)
	}
	return nil
}

func fingerprintValues(attrs []sdp.Attribute) []string {
	var out []string
	for _, a := range attrs {
		if a.Key == "fingerprint" {
			out = append(out, a.Value)
		}
	}
	return out
}

// validDigest checks "AB:CD:…" holds exactly n colon-separated hex bytes.
func validDigest(s string, n int) bool {
	parts := strings.Split(s, ":")
	if len(parts) != n {
		return false
	}
	for _, p := range parts {
		if len(p) != 2 {
			return false
		}
		if _, err := hex.DecodeString(p); err != nil {
			return false
		}
	}
	return true
}

// mediaCodecs lists an m-section's payload formats from its format list,
// a=rtpmap and a=fmtp lines; static payload types 0 and 8 need no rtpmap
// (RFC 3551 §6).
func mediaCodecs(md *sdp.MediaDescription) ([]offeredCodec, error) {
	byPT := make(map[uint8]*offeredCodec, len(md.MediaName.Formats))
	var order []uint8
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			return nil, fmt.Errorf("%w: payload type %.8q", ErrBadOffer, f)
		}
		if byPT[uint8(pt)] != nil {
			return nil, fmt.Errorf("%w: payload type %d listed twice", ErrUnacceptable, pt)
		}
		c := &offeredCodec{pt: uint8(pt)}
		switch pt {
		case 0:
			c.mime, c.clock, c.channels = "audio/PCMU", 8000, 1
		case 8:
			c.mime, c.clock, c.channels = "audio/PCMA", 8000, 1
		}
		byPT[uint8(pt)] = c
		order = append(order, uint8(pt))
	}
	for _, a := range md.Attributes {
		if err := applyCodecAttribute(md.MediaName.Media, a, byPT); err != nil {
			return nil, err
		}
	}
	codecs := make([]offeredCodec, 0, len(order))
	for _, pt := range order {
		if c := byPT[pt]; c.mime != "" {
			codecs = append(codecs, *c)
		}
	}
	return codecs, nil
}

// applyCodecAttribute folds one a=rtpmap or a=fmtp line into its codec.
func applyCodecAttribute(kind string, a sdp.Attribute, byPT map[uint8]*offeredCodec) error {
	if a.Key != "rtpmap" && a.Key != "fmtp" {
		return nil
	}
	ptText, rest, _ := strings.Cut(a.Value, " ")
	pt, err := strconv.ParseUint(ptText, 10, 7)
	if err != nil {
		return fmt.Errorf("%w: %s payload type %.8q", ErrBadOffer, a.Key, ptText)
	}
	c := byPT[uint8(pt)]
	if c == nil {
		return nil // describes a format the m-line does not list
	}
	if a.Key == "fmtp" {
		c.fmtp = strings.TrimSpace(rest)
		return nil
	}
	parts := strings.Split(strings.TrimSpace(rest), "/")
	if len(parts) < 2 || parts[0] == "" {
		return fmt.Errorf("%w: rtpmap %.40q", ErrBadOffer, a.Value)
	}
	clock, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil || clock == 0 {
		return fmt.Errorf("%w: rtpmap %.40q", ErrBadOffer, a.Value)
	}
	c.mime, c.clock, c.channels = kind+"/"+parts[0], uint32(clock), 1
	if len(parts) > 2 {
		ch, err := strconv.ParseUint(parts[2], 10, 8)
		if err != nil {
			return fmt.Errorf("%w: rtpmap %.40q", ErrBadOffer, a.Value)
		}
		c.channels = uint16(ch)
	}
	return nil
}

// filterCandidates drops the unusable candidates of an m-section and those
// beyond the session's budget, keeping every other attribute in order.
func filterCandidates(attrs []sdp.Attribute, policy candidatePolicy, budget *int) ([]sdp.Attribute, error) {
	out := attrs[:0]
	for _, a := range attrs {
		if a.Key != "candidate" {
			out = append(out, a)
			continue
		}
		_, keep, err := policy.keep(a.Value)
		if err != nil {
			return nil, err
		}
		if keep && *budget > 0 {
			*budget--
			out = append(out, a)
		}
	}
	return out, nil
}
