package api

import (
	"errors"

	"mediagate.dev/mediagate/gateway/signal"
)

// Sentinel errors, reported to clients as the detail of a problem body.
var (
	// ErrAPIDisabled means no admin token is configured, so the control API
	// refuses every request.
	ErrAPIDisabled = errors.New("the control API is disabled: set http.admin_token to enable it")
	// ErrMissingToken means the request carried no bearer token.
	ErrMissingToken = errors.New("a bearer token is required")
	// ErrInvalidToken means the request's bearer token is not the admin token.
	ErrInvalidToken = errors.New("the bearer token is not valid")
	// ErrThrottled means the client failed to authenticate too often and
	// must wait (Retry-After) before its token is checked again.
	ErrThrottled = errors.New("too many failed authentications from this client: retry later")
	// ErrUnknownStream means no stream has the requested name.
	ErrUnknownStream = signal.NewError("no such stream", signal.ErrNotFound)
	// ErrNoEvents means the handler has no event bus to stream from.
	ErrNoEvents = errors.New("the event bus is not available")
	// ErrBadQuery means a sender API request has an unknown or malformed
	// query parameter.
	ErrBadQuery = errors.New("bad query parameter")
	// ErrNotSDP means a sender API request's body is not application/sdp.
	ErrNotSDP = errors.New("the body must be an SDP offer, Content-Type application/sdp")
)
