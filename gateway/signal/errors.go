package signal

import "errors"

// Kinds of refusal. Classify answers an error that wraps one of them with
// its status; session packages and the sender API (gateway/egress, gateway/whip) declare their
// own sentinels with NewError so that their errors keep their text and
// still say how the engine answers them.
var (
	// ErrInvalid is a request the client got wrong: a malformed offer,
	// fragment or candidate (400 Bad Request).
	ErrInvalid = errors.New("invalid request")
	// ErrForbidden is a request the server refuses whoever asks, such as
	// one for a feature the config turns off (403 Forbidden).
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound is a stream or session that does not exist, or no longer
	// does (404 Not Found).
	ErrNotFound = errors.New("not found")
	// ErrConflict is a request that conflicts with the resource's state,
	// such as a second publisher (409 Conflict, RFC 9110 §15.5.10).
	ErrConflict = errors.New("conflict")
	// ErrUnacceptable is a well-formed offer that cannot be answered
	// (422 Unprocessable Content, RFC 9725 §4.4.3).
	ErrUnacceptable = errors.New("offer not acceptable")
	// ErrUnavailable is a server at capacity or shutting down (503 Service
	// Unavailable with Retry-After).
	ErrUnavailable = errors.New("service unavailable")
)

// Sentinel errors of the engine itself; functions wrap them with %w and a
// detail.
var (
	// ErrMalformedOffer reports an SDP offer that fails the checks made
	// before it reaches the Opener (400).
	ErrMalformedOffer = NewError("malformed SDP offer", ErrInvalid)
	// ErrMalformedFrag reports an application/trickle-ice-sdpfrag body that
	// does not follow RFC 8840 (400).
	ErrMalformedFrag = NewError("malformed trickle-ice-sdpfrag", ErrInvalid)
	// ErrTooManyCandidates reports an offer or fragment over the candidate
	// cap (413).
	ErrTooManyCandidates = errors.New("too many ICE candidates")

	// errClientSessions and errClientHalfOpen are a client over its cap of
	// concurrent sessions, or of sessions not yet connected (429).
	errClientSessions = errors.New("too many sessions from this client")
	errClientHalfOpen = errors.New("too many sessions from this client are not connected yet")

	// errNoSession reports an Open that returned neither a session nor an
	// error, a bug in the composition root; it answers 500.
	errNoSession = errors.New("open returned no session and no error")
)

// NewError returns a sentinel error with its own text that Classify
// answers like kind (ErrInvalid, ErrForbidden, ErrNotFound, ErrConflict, ErrUnacceptable
// or ErrUnavailable): errors.Is(err, kind) holds for it and for every error
// that wraps it.
func NewError(text string, kind error) error { return &kindError{text: text, kind: kind} }

// kindError is a sentinel error of a kind.
type kindError struct {
	text string
	kind error
}

// Error returns the sentinel's own text.
func (e *kindError) Error() string { return e.text }

// Unwrap returns the kind, for errors.Is.
func (e *kindError) Unwrap() error { return e.kind }
