package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/internal/ratelog"
)

// bearerRealm is the challenge sent with every 401 (RFC 6750 §3).
const bearerRealm = `Bearer realm="mediagate"`

// bearerToken extracts the token of an "Authorization: Bearer <token>" header
// value (RFC 6750 §2.1). The scheme is case-insensitive (RFC 9110 §11.1).
// It reports false when the header is absent, of another scheme or empty.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// tokenEqual compares two tokens in constant time. Hashing both first keeps
// the comparison independent of where they differ and of their lengths.
func tokenEqual(got, want string) bool {
	g := sha256.Sum256([]byte(got))
	w := sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// checkAdmin reports whether r carries the admin token, as the error a client
// should see: ErrAPIDisabled, ErrMissingToken, ErrInvalidToken or nil.
func (h *Handler) checkAdmin(r *http.Request) error {
	if h.AdminToken == "" {
		return ErrAPIDisabled
	}
	token, ok := bearerToken(r.Header.Get("Authorization"))
	switch {
	case !ok:
		return ErrMissingToken
	case !tokenEqual(token, h.AdminToken):
		return ErrInvalidToken
	}
	return nil
}

// admin wraps next so that it runs only for requests bearing the admin token.
// A refused request gets 403 when the API is disabled, otherwise 401 with a
// Bearer challenge; error="invalid_token" is added only when a token was sent
// (RFC 6750 §3.1). Neither the token nor the header is ever logged.
//
// A client whose tokens keep failing is throttled (AuthThrottle): 429 with
// Retry-After (RFC 6585 §4) before its token is even compared, so that
// guessing the token that hands out SRTP keys takes years, not seconds.
func (h *Handler) admin(next http.HandlerFunc) http.HandlerFunc {
	if h.refusals == nil { // routes are set up before the first request
		h.refusals = ratelog.New(h.Log)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if wait := h.AuthThrottle.Wait(r.RemoteAddr); wait > 0 {
			h.Metrics.authFailed("throttled")
			h.refusals.Warn("control API client throttled after failed authentications",
				"path", r.URL.Path, "remote", r.RemoteAddr)
			signal.SetRetryAfter(w.Header(), wait)
			writeProblem(w, http.StatusTooManyRequests, ErrThrottled)
			return
		}
		err := h.checkAdmin(r)
		if err == nil {
			next(w, r)
			return
		}
		reason := "missing"
		switch {
		case errors.Is(err, ErrAPIDisabled):
			reason = "disabled"
			h.Metrics.authFailed(reason)
			writeProblem(w, http.StatusForbidden, err)
			return
		case errors.Is(err, ErrInvalidToken):
			reason = "invalid"
			w.Header().Set("WWW-Authenticate", bearerRealm+`, error="invalid_token"`)
		default:
			w.Header().Set("WWW-Authenticate", bearerRealm)
		}
		h.Metrics.authFailed(reason)
		h.AuthThrottle.Failed(r.RemoteAddr)
		h.refusals.Warn("control API request refused",
			"reason", reason, "path", r.URL.Path, "remote", r.RemoteAddr)
		writeProblem(w, http.StatusUnauthorized, err)
	}
}
