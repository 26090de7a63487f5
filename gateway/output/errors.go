package output

import "errors"

// Errors returned by Start, always wrapped with the detail at fault.
var (
	// ErrConfig reports a Config that cannot work: no stream, no receiver
	// address, or a negative bound.
	ErrConfig = errors.New("invalid output config")
	// ErrSRTP reports SRTP keying that pion/srtp refuses.
	ErrSRTP = errors.New("invalid output SRTP keying")
	// ErrListen reports a socket that could not be bound.
	ErrListen = errors.New("cannot bind the output socket")
)
