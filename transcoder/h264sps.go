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
	switch {
	case errors.Is(err, codec.ErrTooLarge):
		return 0, 0, fmt.Errorf("%w: %w", ErrTooLarge, err)
	case err != nil:
		return 0, 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return s.Width, s.Height, nil
}
