package senders

import (
	"errors"
	"net/http"

	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/sendersdp"
	"mediagate.dev/mediagate/gateway/stream"
)

// Errors of the sender API, mapped to HTTP statuses by classifySenderError.
var (
	// errSendersOff refuses creation when senders.max_streams is 0.
	errSendersOff = errors.New("creating streams through the API is off (senders.max_streams = 0)")
	// errTooManyStreams refuses creation at senders.max_streams.
	errTooManyStreams = errors.New("senders.max_streams API-created streams exist already")
	// errNoPort reports that no port of ingest.port_range could be bound.
	errNoPort = errors.New("no free UDP port in ingest.port_range")
	// errConfiguredStream refuses to delete a stream of the config file.
	errConfiguredStream = errors.New("the stream is configured in the file; remove it there and reload")
	// errBadStreamRequest reports a name, token or address the request
	// gave that a stream cannot have.
	errBadStreamRequest = errors.New("invalid stream request")
	// errBadStreamMedia reports media from the offer that a stream cannot
	// carry.
	errBadStreamMedia = errors.New("the offer's media cannot make a stream")
)

// classifySenderError maps the sender API's errors to statuses.
func classifySenderError(err error) int {
	switch {
	case errors.Is(err, errBadStreamRequest), errors.Is(err, sendersdp.ErrSuite):
		return http.StatusBadRequest
	case errors.Is(err, errSendersOff):
		return http.StatusForbidden
	case errors.Is(err, errConfiguredStream), errors.Is(err, stream.ErrExists):
		return http.StatusConflict
	case errors.Is(err, errBadStreamMedia):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errTooManyStreams), errors.Is(err, errNoPort):
		return http.StatusServiceUnavailable
	case errors.Is(err, ingest.ErrSRTP):
		return http.StatusUnprocessableEntity
	}
	return 0
}
