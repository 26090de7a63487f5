package signal

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Realm is the realm of the WWW-Authenticate challenges (RFC 6750 §3).
const Realm = "mediagate"

// ParseBearer extracts the token from an Authorization field value of the
// form "Bearer <b64token>" (RFC 6750 §2.1; the scheme is case-insensitive,
// RFC 9110 §11.1). It reports false for any other scheme or a token that
// is not b64token syntax.
func ParseBearer(authorization string) (string, bool) {
	scheme, token, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	if !isB64Token(token) {
		return "", false
	}
	return token, true
}

// isB64Token reports whether s is 1*( ALPHA / DIGIT / "-" / "." / "_" / "~"
// / "+" / "/" ) *"=" (RFC 6750 §2.1).
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
		if !ok {
			return false
		}
	}
	return true
}

// TokenEqual compares two tokens in constant time. Both are hashed first,
// so the time taken does not reveal the expected token's length either.
func TokenEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// CheckBearer authorizes r against want, the resource's bearer token (""
// means no token is needed). On failure it writes the response and returns
// false: 401 with a WWW-Authenticate Bearer challenge (RFC 6750 §3) when no
// credentials were sent, adding error="invalid_token" when a bearer token
// was sent and is wrong; 403 when the token is wrong here but validElsewhere
// reports it grants another resource. validElsewhere may be nil. The token
// never appears in the response or in any log.
func CheckBearer(w http.ResponseWriter, r *http.Request, want string, validElsewhere func(string) bool) bool {
	if want == "" {
		return true
	}
	header := r.Header.Get("Authorization")
	token, ok := ParseBearer(header)
	if ok && TokenEqual(token, want) {
		return true
	}
	if ok && validElsewhere != nil && validElsewhere(token) {
		WriteProblem(w, http.StatusForbidden, "the token does not grant access to this stream")
		return false
	}
	challenge := `Bearer realm="` + Realm + `"`
	if header != "" && hasBearerScheme(header) {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	WriteProblem(w, http.StatusUnauthorized, "a valid bearer token is required")
	return false
}

// hasBearerScheme reports whether an Authorization value uses the Bearer
// scheme, so that a client trying another scheme gets a challenge without
// an error code (RFC 6750 §3).
func hasBearerScheme(authorization string) bool {
	scheme, _, _ := strings.Cut(authorization, " ")
	return strings.EqualFold(scheme, "Bearer")
}
