package transcoder

import (
	"errors"
	"fmt"

	"mediagate.dev/mediagate/internal/codec"
)

// h264SPSSize returns the cropped picture size a sequence parameter set
// declares (H.264 §7.3.2.1.1, §7.4.2.1.1), so that the size is checked
// before a decoder sees it. sps starts with its NAL header. The parsing is
// internal/codec's ParseSPS, limited to MaxDimension a side before
// cropping: a larger coded picture returns ErrTooLarge, anything else the
// parser refuses ErrMalformed.
func h264SPSSize(sps []byte) (width, height int, err error) {
	s, err := codec.ParseSPS(sps, MaxDimension)
	return checkedSize(s.Width, s.Height, err)
}

// h265SPSSize is h264SPSSize for an H.265 sequence parameter set (H.265
// §7.3.2.2, §7.4.3.2.1), through internal/codec's ParseH265SPS with the
// same limit and errors.
func h265SPSSize(sps []byte) (width, height int, err error) {
	s, err := codec.ParseH265SPS(sps, MaxDimension)
	return checkedSize(s.Width, s.Height, err)
}

// checkedSize turns an SPS parser's result into the transcoder's: its
// ErrTooLarge, or ErrMalformed for any other refusal.
func checkedSize(width, height int, err error) (int, int, error) {
	switch {
	case errors.Is(err, codec.ErrTooLarge):
		return 0, 0, fmt.Errorf("%w: %w", ErrTooLarge, err)
	case err != nil:
		return 0, 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return width, height, nil
}

// spsSizer returns the SPS size check of a video MIME type: H.265's, or
// else H.264's (the only other codec whose access units carry an SPS).
func spsSizer(mime string) func(sps []byte) (width, height int, err error) {
	if SameCodec(mime, H265) {
		return h265SPSSize
	}
	return h264SPSSize
}
