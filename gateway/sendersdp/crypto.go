package sendersdp

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"mediagate.dev/mediagate/gateway/config"
)

// maxTagDigits is the longest tag RFC 4568 §9.1 allows (tag = 1*9DIGIT).
const maxTagDigits = 9

// Crypto is one SDES crypto attribute with a single inline key
// (RFC 4568 §9.1, §6.1):
//
//	a=crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<MKI>:<len>] [<session-param>...]
type Crypto struct {
	// Tag identifies the line in the offer; the answer echoes it
	// (RFC 4568 §5.1.2).
	Tag int
	// Suite is the crypto-suite name, such as "AES_CM_128_HMAC_SHA1_80".
	Suite string
	// Key is the master key followed by the master salt.
	Key []byte
	// Unsupported says why the gateway cannot use this line although it
	// parses (an MKI, several keys, a session parameter); empty when it can.
	Unsupported string
}

// ParseCrypto parses the value of an a=crypto attribute (everything after
// "crypto:"). Errors wrap ErrBadCrypto and never hold the key.
func ParseCrypto(value string) (Crypto, error) {
	fields := strings.Fields(value)
	if len(fields) < 3 {
		return Crypto{}, fmt.Errorf("%w: want \"<tag> <suite> inline:<key>\"", ErrBadCrypto)
	}
	var c Crypto
	tag, err := strconv.Atoi(fields[0])
	if err != nil || tag < 0 || len(fields[0]) > maxTagDigits || strings.Trim(fields[0], "0123456789") != "" {
		return Crypto{}, fmt.Errorf("%w: tag %q is not 1 to 9 digits", ErrBadCrypto, cut(fields[0]))
	}
	c.Tag, c.Suite = tag, fields[1]
	if err := c.parseKeyParams(fields[2]); err != nil {
		return Crypto{}, err
	}
	for _, sp := range fields[3:] {
		if !harmlessSessionParam(sp) && c.Unsupported == "" {
			c.Unsupported = "session parameter " + cut(sp) + " not supported"
		}
	}
	return c, nil
}

// parseKeyParams reads key-params: one inline key with an optional
// lifetime and MKI (RFC 4568 §6.1).
func (c *Crypto) parseKeyParams(s string) error {
	if strings.Contains(s, ";") {
		c.Unsupported = "several keys not supported"
		s, _, _ = strings.Cut(s, ";")
	}
	method, info, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(method, "inline") {
		return fmt.Errorf("%w: tag %d: key method must be inline", ErrBadCrypto, c.Tag)
	}
	parts := strings.Split(info, "|")
	key, err := decodeKey(parts[0])
	if err != nil {
		return fmt.Errorf("%w: tag %d: key is not base64", ErrBadCrypto, c.Tag)
	}
	c.Key = key
	for _, p := range parts[1:] {
		switch {
		case strings.Contains(p, ":"):
			if c.Unsupported == "" {
				c.Unsupported = "MKI not supported"
			}
		case !isLifetime(p):
			return fmt.Errorf("%w: tag %d: lifetime %q is not a number or 2^n", ErrBadCrypto, c.Tag, cut(p))
		}
	}
	return nil
}

// Attribute formats the attribute value, key included:
// "<tag> <suite> inline:<key>".
func (c Crypto) Attribute() string {
	return fmt.Sprintf("%d %s inline:%s", c.Tag, c.Suite, base64.StdEncoding.EncodeToString(c.Key))
}

// String formats the attribute value with the key redacted, so that a
// Crypto in a log line or an error never shows it.
func (c Crypto) String() string { return fmt.Sprintf("%d %s inline:[redacted]", c.Tag, c.Suite) }

// KeyLen returns the length of a suite's master key plus master salt: 30
// bytes for AES_CM_128_*, 46 for AES_256_CM_*, 28 for AEAD_AES_128_GCM and
// 44 for AEAD_AES_256_GCM (RFC 4568 §6.2, RFC 6188 §7.1, RFC 7714 §14.2).
func KeyLen(suite string) (int, error) {
	profile, err := config.SRTPProfile(suite)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrSuite, err)
	}
	k, err1 := profile.KeyLen()
	s, err2 := profile.SaltLen()
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%w: %s", ErrSuite, suite)
	}
	return k + s, nil
}

// NewKey returns a fresh master key and salt for suite from crypto/rand.
func NewKey(suite string) ([]byte, error) {
	n, err := KeyLen(suite)
	if err != nil {
		return nil, err
	}
	key := make([]byte, n)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return key, nil
}

// decodeKey decodes base64 with or without padding (RFC 4568 §6.1 asks for
// padding; some senders leave it out).
func decodeKey(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// isLifetime reports whether s is a key lifetime: digits or "2^" digits.
func isLifetime(s string) bool {
	s = strings.TrimPrefix(s, "2^")
	return s != "" && len(s) <= 20 && strings.Trim(s, "0123456789") == ""
}

// harmlessSessionParam reports whether a session parameter leaves SRTP as
// the gateway runs it: KDR=0 (no rekeying, RFC 4568 §6.3.1) and the window
// size hint WSH (§6.3.6).
func harmlessSessionParam(p string) bool {
	return p == "KDR=0" || strings.HasPrefix(p, "WSH=")
}

// cut shortens a value quoted in an error.
func cut(s string) string {
	const limit = 32
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}
