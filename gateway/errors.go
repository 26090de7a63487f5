package gateway

import "errors"

// errUnknownStream is returned when a request names a stream that does not exist.
var errUnknownStream = errors.New("unknown stream")

// Errors of Reload, matched with errors.Is.
var (
	// ErrReload reports a config that Reload refused, or applied only in
	// part; the wrapped errors say why.
	ErrReload = errors.New("reload failed")
	// ErrShutDown reports a Reload after Shutdown.
	ErrShutDown = errors.New("gateway is shut down")
)
