package turn

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // RFC 8489 §9.2.2 fixes MD5 for the long-term key
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxLabelLen bounds the label of a TURN REST username.
const maxLabelLen = 64

// Credentials are a TURN REST username and password (draft-uberti-behave-
// turn-rest-00 §2.2): the username is "expiry:label" with expiry in Unix
// seconds, the password base64(HMAC-SHA1(secret, username)).
type Credentials struct {
	Username string
	Password string
	Expires  time.Time
}

// Mint returns credentials for label, valid until now+ttl, signed with
// secret. The label must not contain ':'.
func Mint(secret []byte, label string, ttl time.Duration, now time.Time) Credentials {
	exp := now.Add(ttl).Truncate(time.Second)
	user := strconv.FormatInt(exp.Unix(), 10) + ":" + label
	return Credentials{Username: user, Password: restPassword(secret, user), Expires: exp}
}

// restPassword is base64(HMAC-SHA1(secret, username)).
func restPassword(secret []byte, username string) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// LongTermKey returns MD5(username ":" realm ":" password), the long-term
// credential key (RFC 8489 §9.2.2) that static users are configured with,
// as `turnadmin -k` prints it.
func LongTermKey(username, realm, password string) []byte {
	h := md5.Sum([]byte(username + ":" + realm + ":" + password)) //nolint:gosec // fixed by the RFC
	return h[:]
}

// parseRESTUsername splits "expiry:label". The expiry is decimal Unix
// seconds (at most 12 digits); the label is 1 to maxLabelLen printable
// ASCII characters.
func parseRESTUsername(u string) (expiry int64, label string, err error) {
	exp, label, ok := strings.Cut(u, ":")
	if !ok || len(exp) == 0 || len(exp) > 12 || len(label) == 0 || len(label) > maxLabelLen {
		return 0, "", ErrBadUsername
	}
	for i := 0; i < len(exp); i++ {
		if exp[i] < '0' || exp[i] > '9' {
			return 0, "", ErrBadUsername
		}
	}
	for i := 0; i < len(label); i++ {
		if label[i] <= ' ' || label[i] > '~' {
			return 0, "", ErrBadUsername
		}
	}
	expiry, err = strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("%w: %w", ErrBadUsername, err)
	}
	return expiry, label, nil
}
