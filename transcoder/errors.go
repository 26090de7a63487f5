package transcoder

import "errors"

// Sentinel errors; callers test them with errors.Is.
var (
	// ErrUnavailable means the binary was built without the codec libraries
	// (CGO_ENABLED=0) or without the codec asked for: nothing is transcoded.
	ErrUnavailable = errors.New("transcoding unavailable")
	// ErrUnsupported means no codec converts between the asked formats.
	ErrUnsupported = errors.New("transcoding not supported")
	// ErrClosed is returned by a pipeline or codec used after Close.
	ErrClosed = errors.New("transcoder closed")
	// ErrTooLarge means a picture exceeds the configured maximum size.
	ErrTooLarge = errors.New("picture too large")
	// ErrMalformed means an access unit or RTP payload could not be parsed.
	ErrMalformed = errors.New("malformed media")
	// ErrDecode means the decoder rejected an access unit.
	ErrDecode = errors.New("decode failed")
	// ErrEncode means the encoder failed on a frame.
	ErrEncode = errors.New("encode failed")
)
