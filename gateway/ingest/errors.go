package ingest

import "errors"

// Errors returned by NewSource and SourceConfigFrom, always wrapped with
// details (the key or value at fault) and matched with errors.Is.
var (
	// ErrConfig reports a SourceConfig value that cannot work: an unknown
	// latching policy or keyframe request kind, a negative duration, a read
	// buffer outside the range of a UDP datagram.
	ErrConfig = errors.New("invalid ingest source config")
	// ErrNoTracks reports a stream with neither a video nor an audio track,
	// or with both tracks on the same payload type.
	ErrNoTracks = errors.New("stream has no usable tracks")
	// ErrSRTP reports SRTP keying that pion/srtp refuses: a key or salt of
	// the wrong length for the protection profile, or an unknown profile.
	ErrSRTP = errors.New("invalid SRTP keying")
	// ErrListen reports a socket that could not be bound or configured.
	ErrListen = errors.New("cannot listen for RTP")
)
