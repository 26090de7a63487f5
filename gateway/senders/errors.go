package senders

import "mediagate.dev/mediagate/gateway/signal"

// Errors of the sender API, each of a kind that signal.Classify answers.
var (
	// errSendersOff refuses creation when senders.max_streams is 0.
	errSendersOff = signal.NewError("creating streams through the API is off (senders.max_streams = 0)", signal.ErrForbidden)
	// errTooManyStreams refuses creation at senders.max_streams.
	errTooManyStreams = signal.NewError("senders.max_streams API-created streams exist already", signal.ErrUnavailable)
	// errNoPort reports that no port of ingest.port_range could be bound.
	errNoPort = signal.NewError("no free UDP port in ingest.port_range", signal.ErrUnavailable)
	// errConfiguredStream refuses to delete a stream of the config file.
	errConfiguredStream = signal.NewError("the stream is configured in the file; remove it there and reload", signal.ErrConflict)
	// errBadStreamRequest reports a name, token or address the request
	// gave that a stream cannot have.
	errBadStreamRequest = signal.NewError("invalid stream request", signal.ErrInvalid)
	// errBadStreamMedia reports media from the offer that a stream cannot
	// carry.
	errBadStreamMedia = signal.NewError("the offer's media cannot make a stream", signal.ErrUnacceptable)
)
