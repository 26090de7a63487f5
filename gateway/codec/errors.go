package codec

import "errors"

// Sentinel errors of the H.264 parameter-set parsers. Callers match them
// with errors.Is; the returned errors wrap them with the detail.
var (
	// ErrNoSprop means an fmtp line carries no sprop-parameter-sets.
	ErrNoSprop = errors.New("no sprop-parameter-sets")
	// ErrBadSprop means sprop-parameter-sets is not valid base64 or lacks an SPS or a PPS.
	ErrBadSprop = errors.New("malformed sprop-parameter-sets")
	// ErrBadSPS means a sequence parameter set is truncated or out of range.
	ErrBadSPS = errors.New("malformed H.264 SPS")
)
