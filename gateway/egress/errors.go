package egress

import "mediagate.dev/mediagate/gateway/signal"

// Sentinel errors of the viewer sessions; the returned errors wrap them
// with the reason. Each is of a gateway/signal kind, which says how the
// WHEP handler answers it (signal.Classify).
var (
	// ErrBadOffer means the SDP offer is malformed (HTTP 400).
	ErrBadOffer = signal.NewError("malformed SDP offer", signal.ErrInvalid)
	// ErrUnacceptable means the offer is well formed but cannot be answered
	// as a WHEP playback session (HTTP 422); the wrapping error names why.
	ErrUnacceptable = signal.NewError("offer not acceptable", signal.ErrUnacceptable)
	// ErrCapacity means the gateway or the stream has all the viewers it may
	// have (HTTP 503).
	ErrCapacity = signal.NewError("viewer capacity reached", signal.ErrUnavailable)
	// ErrClosed means the session or the manager has been closed (HTTP 404:
	// the session is gone).
	ErrClosed = signal.NewError("session closed", signal.ErrNotFound)
)
