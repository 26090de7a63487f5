package signal

import (
	"context"
	"errors"
	"net/http"
)

// problemBlank is the RFC 9457 §4.2.1 problem type of a problem that means
// no more than its status code.
const problemBlank = "about:blank"

// refusals is the one table from a kind of error to its answer, first match
// wins: the errors of an Opener's Open and of a Session's Restart and the
// root's own (gateway/http.go) all go through it.
var refusals = []struct {
	kind        error
	status      int
	problemType string
}{
	{ErrForbidden, http.StatusForbidden, problemBlank},
	{ErrNotFound, http.StatusNotFound, problemBlank},
	{ErrConflict, http.StatusConflict, problemBlank},
	{ErrInvalid, http.StatusBadRequest, problemBlank},
	{ErrUnacceptable, http.StatusUnprocessableEntity, problemBlank},
	{ErrUnavailable, http.StatusServiceUnavailable, problemBlank},
	// A setup that outlived the OpenTimeout: the server is too busy.
	{context.DeadlineExceeded, http.StatusServiceUnavailable, problemBlank},
}

// Classify returns the HTTP status and the RFC 9457 problem type that
// answer err: those of the first kind in the table that err wraps (400
// ErrInvalid, 403 ErrForbidden, 404 ErrNotFound, 409 ErrConflict, 422 ErrUnacceptable, 503
// ErrUnavailable or context.DeadlineExceeded), and 500 for anything else.
func Classify(err error) (status int, problemType string) {
	for _, r := range refusals {
		if errors.Is(err, r.kind) {
			return r.status, r.problemType
		}
	}
	return http.StatusInternalServerError, problemBlank
}

// Reason returns what a server error's problem body may say of err: the
// text of the outermost sentinel made with NewError that err wraps
// ("viewer capacity reached"), without the details wrapped around it, which
// stay in the log; "" when err wraps none.
func Reason(err error) string {
	var k *kindError
	if errors.As(err, &k) {
		return k.text
	}
	return ""
}
