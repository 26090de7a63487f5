package codec

import (
	"fmt"

	"mediagate.dev/mediagate/internal/h264"
)

// H264SPSInfo parses a sequence parameter set NAL unit (with its header byte)
// per ITU-T H.264 §7.3.2.1.1 and returns the profile_idc, the constraint_set
// flags byte, level_idc and the cropped picture size in pixels. The parsing
// is internal/h264's ParseSPS with its widest picture limit (h264.MaxSide,
// far above any level): the gateway forwards what it does not decode.
// Emulation prevention bytes are removed first; every read is bounds-checked,
// and a truncated or out-of-range SPS returns an error wrapping ErrBadSPS.
func H264SPSInfo(sps []byte) (profileIDC, constraints, levelIDC uint8, width, height int, err error) {
	s, err := h264.ParseSPS(sps, h264.MaxSide)
	if err != nil {
		return 0, 0, 0, 0, 0, fmt.Errorf("%w: %w", ErrBadSPS, err)
	}
	return s.ProfileIDC, s.Constraints, s.LevelIDC, s.Width, s.Height, nil
}
