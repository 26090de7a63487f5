package h264

import "errors"

// Sentinel errors of the parsers. Callers match them with errors.Is; the
// returned errors wrap them with the detail.
var (
	// ErrMalformed means a NAL unit is truncated, is not of the expected
	// type, or holds a value outside its legal range.
	ErrMalformed = errors.New("malformed H.264 bitstream")
	// ErrTooLarge means a sequence parameter set declares a picture wider or
	// taller than the caller's limit.
	ErrTooLarge = errors.New("H.264 picture too large")
)
