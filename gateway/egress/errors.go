package egress

import "errors"

// Sentinel errors of the viewer sessions. The WHEP handler maps them to HTTP
// statuses; the returned errors wrap them with the reason.
var (
	// ErrBadOffer means the SDP offer is malformed (HTTP 400).
	ErrBadOffer = errors.New("malformed SDP offer")
	// ErrUnacceptable means the offer is well formed but cannot be answered
	// as a WHEP playback session (HTTP 422); the wrapping error names why.
	ErrUnacceptable = errors.New("offer not acceptable")
	// ErrCapacity means the gateway or the stream has all the viewers it may
	// have (HTTP 503).
	ErrCapacity = errors.New("viewer capacity reached")
	// ErrClosed means the session or the manager has been closed.
	ErrClosed = errors.New("session closed")
)
