package turn

import (
	"net"
	"time"

	pionturn "github.com/pion/turn/v5"

	"mediagate.dev/mediagate/internal/ratelog"
)

// clockSkew is how far past the credential lifetime an expiry may lie and
// still be accepted, for a minting service whose clock runs a little ahead.
const clockSkew = time.Minute

// Why credentials were refused; the label of mediagate_turn_auth_failures_total.
const (
	authBadUsername = "bad_username" // neither a static user nor expiry:label
	authExpired     = "expired"      // the expiry has passed
	authTooLong     = "too_long"     // the expiry lies beyond the lifetime cap
	authIntegrity   = "integrity"    // MESSAGE-INTEGRITY did not match: a wrong password
)

// authenticator implements pion's AuthHandler for the long-term credential
// mechanism (RFC 8489 §9.2): static users by their configured key, every
// other username as TURN REST credentials, checked against the secret,
// the expiry and the lifetime cap. It never logs the secret or a key.
type authenticator struct {
	secret  []byte
	realm   string
	maxTTL  time.Duration
	users   map[string][]byte
	now     func() time.Time
	m       *Metrics
	limiter *limiter
	log     *ratelog.Logger
}

// handle returns the user ID (the REST label or the static name) and the
// key pion checks MESSAGE-INTEGRITY with, or ok false to answer 401.
func (a *authenticator) handle(ra *pionturn.RequestAttributes) (userID string, key []byte, ok bool) {
	userID, key, why := a.lookup(ra.Username)
	if why != "" {
		a.fail(why, ra.SrcAddr)
		return "", nil, false
	}
	return userID, key, true
}

// lookup returns the user ID and long-term key of username, or why it is
// refused. It counts nothing: recoder uses it to sign the responses it
// corrects with the key pion signed them with.
func (a *authenticator) lookup(username string) (userID string, key []byte, why string) {
	if k, ok := a.users[username]; ok {
		return username, k, ""
	}
	expiry, label, err := parseRESTUsername(username)
	if err != nil {
		return "", nil, authBadUsername
	}
	now := a.now().Unix()
	switch {
	case expiry < now:
		return "", nil, authExpired
	case expiry > now+int64((a.maxTTL+clockSkew)/time.Second):
		return "", nil, authTooLong
	}
	return label, LongTermKey(username, a.realm, restPassword(a.secret, username)), ""
}

// fail counts a refusal and charges the source's unauthenticated budget.
func (a *authenticator) fail(reason string, src net.Addr) {
	a.m.authFailures.WithLabelValues(reason).Inc()
	if a.limiter != nil {
		a.limiter.allow(src)
	}
	a.log.Warn("turn credentials refused", "reason", reason, "client", addrString(src))
}

// addrString formats a possibly nil address.
func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}
