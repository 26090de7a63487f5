package whep

import "mediagate.dev/mediagate/gateway/signal"

// Sentinel errors of the WHEP endpoint, of gateway/signal kinds.
var (
	// ErrNoStream means the stream of the URL does not exist (HTTP 404).
	ErrNoStream = signal.NewError("unknown stream", signal.ErrNotFound)
	// ErrNoViewers means the handler has no viewer sessions to open
	// (HTTP 503).
	ErrNoViewers = signal.NewError("no viewer sessions", signal.ErrUnavailable)
)
