package gateway

import "errors"

// Errors of Reload, matched with errors.Is.
var (
	// ErrReload reports a config that Reload refused, or applied only in
	// part; the wrapped errors say why.
	ErrReload = errors.New("reload failed")
	// ErrShutDown reports a Reload after Shutdown.
	ErrShutDown = errors.New("gateway is shut down")
)
