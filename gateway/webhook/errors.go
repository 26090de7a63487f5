package webhook

import "errors"

// Errors of Verify, matched with errors.Is.
var (
	// ErrSignature reports a missing, malformed or wrong signature.
	ErrSignature = errors.New("webhook signature does not verify")
	// ErrStale reports a timestamp outside the accepted age, a replay.
	ErrStale = errors.New("webhook timestamp too old or in the future")
)

// errStatus reports an answer that is not 2xx; attempt wraps it with the
// status code.
var errStatus = errors.New("receiver answered")
