package codec

import "errors"

// Sentinel errors of the parsers. Callers match them with errors.Is; the
// returned errors wrap them with the detail.
var (
	// ErrMalformed means a NAL unit is truncated, is not of the expected
	// type, or holds a value outside its legal range.
	ErrMalformed = errors.New("malformed video bitstream")
	// ErrTooLarge means a sequence parameter set declares a picture wider or
	// taller than the caller's limit.
	ErrTooLarge = errors.New("video picture too large")
	// ErrMalformedPayload means an RTP payload breaks its payload format:
	// a truncated STAP-A or FU-A (RFC 6184), a VP8 payload descriptor
	// without a payload after it (RFC 7741), a packet type outside the
	// packetization modes mediagate takes.
	ErrMalformedPayload = errors.New("malformed RTP payload")
	// ErrNoSprop means an fmtp line carries no sprop-parameter-sets.
	ErrNoSprop = errors.New("no sprop-parameter-sets")
	// ErrBadSprop means sprop-parameter-sets is not valid base64 or lacks an SPS or a PPS.
	ErrBadSprop = errors.New("malformed sprop-parameter-sets")
	// ErrBadSPS means a sequence parameter set is truncated or out of range.
	ErrBadSPS = errors.New("malformed H.264 SPS")
)
