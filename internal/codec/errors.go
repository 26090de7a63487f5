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
	// ErrUnsupportedPayload means a well-formed payload format uses a
	// feature mediagate does not take: H.265 DONL reordering
	// (sprop-max-don-diff > 0) or multi-stream transmission (RFC 7798).
	ErrUnsupportedPayload = errors.New("unsupported RTP payload format")
	// ErrNoSprop means an fmtp line carries no sprop-parameter-sets (H.264)
	// or none of sprop-vps, sprop-sps and sprop-pps (H.265).
	ErrNoSprop = errors.New("no sprop-parameter-sets")
	// ErrBadSprop means sprop-parameter-sets (or H.265's sprop-vps,
	// sprop-sps, sprop-pps) is not valid base64 or lacks a parameter set.
	ErrBadSprop = errors.New("malformed sprop-parameter-sets")
	// ErrBadSPS means a sequence parameter set is truncated or out of range.
	ErrBadSPS = errors.New("malformed H.264 SPS")
)
