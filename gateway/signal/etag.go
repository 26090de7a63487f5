package signal

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// newID returns a session ID: 128 bits from crypto/rand in hex, so that
// session URLs cannot be guessed (RFC 9725 §5; RFC 4086).
func newID() string { return randomHex(16) }

// newETag returns a strong entity-tag (RFC 9110 §8.8.3) naming one ICE
// session, quotes included.
func newETag() string { return `"` + randomHex(12) + `"` }

// randomHex returns n random bytes in hex. crypto/rand.Read never fails.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// isSessionID reports whether s has the shape newID produces.
func isSessionID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// CheckIfMatch evaluates If-Match field values against the current strong
// entity-tag etag (quotes included), per RFC 9110 §13.1.1. wildcard is true
// for "*" and also for the quoted "\"*\"" that the WHIP and WHEP examples
// use to ask for an ICE restart. match is true when a listed entity-tag is
// strongly equal to etag; weak tags (W/"…") never match. A malformed field
// matches nothing.
func CheckIfMatch(values []string, etag string) (wildcard, match bool) {
	field := strings.TrimSpace(strings.Join(values, ","))
	if field == "*" {
		return true, false
	}
	for field != "" {
		field = strings.TrimLeft(field, " \t,")
		if field == "" {
			break
		}
		weak := strings.HasPrefix(field, "W/")
		field = strings.TrimPrefix(field, "W/")
		tag, rest, ok := cutEntityTag(field)
		if !ok {
			return false, false
		}
		switch {
		case weak:
		case tag == `"*"`:
			wildcard = true
		case etag != "" && tag == etag:
			match = true
		}
		field = strings.TrimLeft(rest, " \t")
		if field != "" && field[0] != ',' {
			return false, false
		}
	}
	return wildcard, match
}

// cutEntityTag splits one opaque-tag (DQUOTE *etagc DQUOTE, RFC 9110
// §8.8.3) off the front of s.
func cutEntityTag(s string) (tag, rest string, ok bool) {
	if len(s) < 2 || s[0] != '"' {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return s[:i+1], s[i+1:], true
		case c == 0x21 || c >= 0x23 && c <= 0x7e || c >= 0x80:
		default:
			return "", "", false
		}
	}
	return "", "", false
}
