package transcoder

import (
	"errors"
	"fmt"

	"mediagate.dev/mediagate/internal/h264"
)

// H.264 NAL unit types used here (ITU-T H.264 Table 7-1; RFC 6184 §5.2).
const (
	nalSlice = 1
	nalIDR   = 5
	nalSEI   = 6
	nalSPS   = 7
	nalPPS   = 8
	nalAUD   = 9
	nalSTAPA = 24
	nalFUA   = 28
)

// h264SPSSize returns the cropped picture size a sequence parameter set
// declares (H.264 §7.3.2.1.1, §7.4.2.1.1), so that the size is checked
// before a decoder sees it. sps starts with its NAL header. The parsing is
// internal/h264's ParseSPS, limited to MaxDimension a side before
// cropping: a larger coded picture returns ErrTooLarge, anything else the
// parser refuses ErrMalformed.
func h264SPSSize(sps []byte) (width, height int, err error) {
	s, err := h264.ParseSPS(sps, MaxDimension)
	switch {
	case errors.Is(err, h264.ErrTooLarge):
		return 0, 0, fmt.Errorf("%w: %w", ErrTooLarge, err)
	case err != nil:
		return 0, 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return s.Width, s.Height, nil
}

// H264SliceType returns the slice_type of a coded slice NAL unit (types 1
// and 5), read from the start of its slice header (H.264 §7.3.3), modulo 5:
// 0 P, 1 B, 2 I, 3 SP, 4 SI. ok is false for other NAL units. The gateway
// uses it to spot B-frames, which some browsers play badly. It is
// internal/h264's SliceType.
func H264SliceType(nal []byte) (sliceType int, ok bool) {
	return h264.SliceType(nal)
}
