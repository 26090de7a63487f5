package whip

import "errors"

// Sentinel errors of the publishing sessions; Handler maps them to HTTP
// statuses and the returned errors wrap them with the reason.
var (
	// ErrBadOffer means the SDP offer is malformed (HTTP 400).
	ErrBadOffer = errors.New("malformed SDP offer")
	// ErrUnacceptable means the offer is well formed but cannot be answered
	// as a WHIP publication to this stream (HTTP 422).
	ErrUnacceptable = errors.New("offer not acceptable")
	// ErrPublishing means the stream already has a publisher (HTTP 409).
	ErrPublishing = errors.New("the stream already has a publisher")
	// ErrNoStream means the stream does not exist or is not a WHIP stream
	// (HTTP 404).
	ErrNoStream = errors.New("no such WHIP stream")
	// ErrClosed means the session or the manager has been closed.
	ErrClosed = errors.New("session closed")
)
