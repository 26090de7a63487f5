package forward

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors of the RFC 9725 client, always wrapped with the detail.
var (
	// ErrRedirects reports more 307/308 redirects than the limit allows
	// (a loop, or a chain too long).
	ErrRedirects = errors.New("too many redirects")
	// ErrRedirectKind reports a 301, 302 or 303 answer to a POST: RFC 9725
	// §4.5 redirects with 307 (or 308), which keep the method and body.
	ErrRedirectKind = errors.New("redirect other than 307/308")
	// ErrNoLocation reports a 201 without a usable Location header.
	ErrNoLocation = errors.New("201 without a Location header")
	// ErrAnswer reports a response body that is no SDP answer.
	ErrAnswer = errors.New("invalid SDP answer")
	// ErrConfig reports a Config that cannot work.
	ErrConfig = errors.New("invalid forward config")
)

// maxErrorBody bounds the part of an error response's body kept for logs.
const maxErrorBody = 256

// StatusError is an HTTP answer other than the one expected.
type StatusError struct {
	// Code is the HTTP status code.
	Code int
	// Detail is the start of the response body (a problem detail), with
	// control characters removed.
	Detail string
}

func (e *StatusError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.Code, http.StatusText(e.Code), e.Detail)
}

// Permanent reports whether retrying err cannot succeed without a change
// of configuration: 400, 401, 403, 404, 405, 415 and 422 answers (the
// token, the URL or the media is wrong), a redirect loop or a forbidden
// redirect kind. Anything else (5xx, 429, timeouts, refused connections)
// is worth another attempt after a backoff.
func Permanent(err error) bool {
	if errors.Is(err, ErrRedirects) || errors.Is(err, ErrRedirectKind) {
		return true
	}
	var se *StatusError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// Reason is a short word for why an attempt failed, for the metrics and
// the forward.down event: "http_401", "redirect_loop", "timeout", ...
func Reason(err error) string {
	var se *StatusError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("http_%d", se.Code)
	case errors.Is(err, ErrRedirects):
		return "redirect_loop"
	case errors.Is(err, ErrRedirectKind):
		return "redirect_kind"
	case errors.Is(err, errICE):
		return "ice_failed"
	case isTimeout(err):
		return "timeout"
	case errors.Is(err, ErrNoLocation), errors.Is(err, ErrAnswer):
		return "bad_answer"
	}
	return "error"
}
