package whep

import "errors"

// Sentinel errors of the package; functions wrap them with %w and a detail.
var (
	// ErrMalformedOffer reports an SDP offer that fails the syntax checks
	// made before it reaches Handler.Open.
	ErrMalformedOffer = errors.New("malformed SDP offer")
	// ErrMalformedFrag reports an application/trickle-ice-sdpfrag body that
	// does not follow RFC 8840.
	ErrMalformedFrag = errors.New("malformed trickle-ice-sdpfrag")
	// ErrTooManyCandidates reports an offer or fragment over the candidate cap.
	ErrTooManyCandidates = errors.New("too many ICE candidates")

	// errNoSession reports an Open that returned neither a session nor an
	// error, a bug in the composition root; it answers 500.
	errNoSession = errors.New("open returned no session and no error")
)
