package whip

import "mediagate.dev/mediagate/gateway/signal"

// Sentinel errors of the publishing sessions; the returned errors wrap them
// with the reason. Each is of a gateway/signal kind, which says how the
// WHIP handler answers it (signal.Classify).
var (
	// ErrBadOffer means the SDP offer is malformed (HTTP 400).
	ErrBadOffer = signal.NewError("malformed SDP offer", signal.ErrInvalid)
	// ErrUnacceptable means the offer is well formed but cannot be answered
	// as a WHIP publication to this stream (HTTP 422).
	ErrUnacceptable = signal.NewError("offer not acceptable", signal.ErrUnacceptable)
	// ErrPublishing means the stream already has a publisher (HTTP 409).
	ErrPublishing = signal.NewError("the stream already has a publisher", signal.ErrConflict)
	// ErrNoStream means the stream does not exist or is not a WHIP stream
	// (HTTP 404).
	ErrNoStream = signal.NewError("no such WHIP stream", signal.ErrNotFound)
	// ErrClosed means the session or the manager has been closed (HTTP 503:
	// the gateway is not taking publishers).
	ErrClosed = signal.NewError("session closed", signal.ErrUnavailable)
)
