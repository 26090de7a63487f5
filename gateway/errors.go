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

// Errors of the sender API (senders.go), mapped to HTTP statuses by
// classifySenderError.
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
