package codec

import "fmt"

// H.265 SPS bounds (ITU-T H.265 §7.4.3.2.1).
const (
	h265MaxSubLayers  = 7 // sps_max_sub_layers_minus1 is at most 6
	h265MaxChroma     = 3 // chroma_format_idc
	h265MinPictureCTB = 8 // pic_width/height_in_luma_samples are multiples of MinCbSizeY ≥ 8
)

// H265SPSFields holds the fields of an H.265 sequence parameter set that
// mediagate uses.
type H265SPSFields struct {
	// Profile holds general_profile_idc, general_tier_flag and
	// general_level_idc (§7.3.3), as RFC 7798's profile-id, tier-flag and
	// level-id name them.
	Profile H265Profile
	// ChromaFormat is chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2,
	// 3 4:4:4.
	ChromaFormat int
	// BitDepth is the luma bit depth (bit_depth_luma_minus8 + 8).
	BitDepth int
	// Width and Height are the size in pixels of a decoded picture after
	// the conformance cropping window (§7.4.3.2.1, equations 7-8 to 7-11
	// and Table 6-1).
	Width, Height int
}

// ParseH265SPS parses an H.265 sequence parameter set NAL unit, two-byte
// header first, per ITU-T H.265 §7.3.2.2.1 up to the bit depths: the
// profile, tier and level of profile_tier_level() (§7.3.3), the chroma
// format and the picture size. Emulation prevention bytes are removed
// first and every read is bounds-checked. maxSide caps the coded width and
// height in luma samples before cropping; a value below 16 or above
// MaxSide means MaxSide. A larger picture returns an error wrapping
// ErrTooLarge; a truncated, mistyped or out-of-range SPS returns one
// wrapping ErrMalformed. It is the size check that runs before an H.265
// picture reaches a decoder.
func ParseH265SPS(nal []byte, maxSide int) (H265SPSFields, error) {
	if len(nal) < H265NALHeaderLen+4 || H265NALType(nal[0]) != H265SPS {
		return H265SPSFields{}, fmt.Errorf("%w: not an H.265 SPS NAL unit", ErrMalformed)
	}
	if len(nal) > maxSPSBytes {
		return H265SPSFields{}, fmt.Errorf("%w: SPS of %d bytes", ErrMalformed, len(nal))
	}
	r := NewBitReader(unescapeRBSP(nal[H265NALHeaderLen:]))
	r.U(4) // sps_video_parameter_set_id
	subLayers := int(r.U(3))
	r.U(1) // sps_temporal_id_nesting_flag
	if subLayers >= h265MaxSubLayers {
		return H265SPSFields{}, fmt.Errorf("%w: sps_max_sub_layers_minus1 %d", ErrMalformed, subLayers)
	}
	var s H265SPSFields
	s.Profile = readProfileTierLevel(r, subLayers)
	if id := r.UE(); id > 15 { // sps_seq_parameter_set_id
		r.fail("sps_seq_parameter_set_id %d", id)
	}
	s.ChromaFormat = int(r.UE())
	if s.ChromaFormat > h265MaxChroma {
		r.fail("chroma_format_idc %d", s.ChromaFormat)
	}
	separate := s.ChromaFormat == 3 && r.U(1) == 1 // separate_colour_plane_flag
	w, h := r.UE(), r.UE()
	var crop [4]uint32
	if r.U(1) == 1 { // conformance_window_flag
		for i := range crop {
			crop[i] = r.UE()
		}
	}
	s.BitDepth = int(r.UE()) + 8
	if err := r.Err(); err != nil {
		return H265SPSFields{}, err
	}
	if s.BitDepth > 16 {
		return H265SPSFields{}, fmt.Errorf("%w: bit depth %d", ErrMalformed, s.BitDepth)
	}
	var err error
	s.Width, s.Height, err = h265CroppedSize(w, h, crop, s.ChromaFormat, separate, maxSide)
	if err != nil {
		return H265SPSFields{}, err
	}
	return s, nil
}

// readProfileTierLevel reads profile_tier_level(1, subLayers) (§7.3.3):
// the general profile, tier and level, skipping the compatibility and
// constraint flags and every sub-layer's fields.
func readProfileTierLevel(r *BitReader, subLayers int) H265Profile {
	r.U(2) // general_profile_space
	var p H265Profile
	p.TierFlag = int(r.U(1))
	p.ProfileID = int(r.U(5))
	r.U(32) // general_profile_compatibility_flag[32]
	r.U(32) // progressive, interlaced, non-packed, frame-only and 44 constraint bits …
	r.U(16) // … 48 bits in all
	p.LevelID = int(r.U(8))
	var profilePresent, levelPresent [h265MaxSubLayers]bool
	for i := range subLayers {
		profilePresent[i] = r.U(1) == 1
		levelPresent[i] = r.U(1) == 1
	}
	if subLayers > 0 {
		for i := subLayers; i < 8; i++ {
			r.U(2) // reserved_zero_2bits
		}
	}
	for i := range subLayers {
		if profilePresent[i] {
			r.U(32) // sub_layer profile space, tier, idc, first compatibility bits …
			r.U(32)
			r.U(24) // … 88 bits in all
		}
		if levelPresent[i] {
			r.U(8) // sub_layer_level_idc
		}
	}
	return p
}

// h265CroppedSize checks the coded size against maxSide and applies the
// conformance window, whose offsets count in chroma samples (SubWidthC,
// SubHeightC of Table 6-1).
func h265CroppedSize(w, h uint32, crop [4]uint32, chroma int, separate bool, maxSide int) (width, height int, err error) {
	if maxSide < 16 || maxSide > MaxSide {
		maxSide = MaxSide
	}
	switch {
	case w < h265MinPictureCTB || h < h265MinPictureCTB:
		return 0, 0, fmt.Errorf("%w: coded size %dx%d", ErrMalformed, w, h)
	case w > uint32(maxSide) || h > uint32(maxSide):
		return 0, 0, fmt.Errorf("%w: coded size %dx%d, at most %d a side", ErrTooLarge, w, h, maxSide)
	}
	subW, subH := 1, 1
	if !separate {
		switch chroma {
		case 1:
			subW, subH = 2, 2
		case 2:
			subW = 2
		}
	}
	width, height = int(w), int(h)
	for i, c := range crop {
		if c > MaxSide {
			return 0, 0, fmt.Errorf("%w: conformance window offset %d", ErrMalformed, c)
		}
		if i < 2 {
			width -= int(c) * subW
		} else {
			height -= int(c) * subH
		}
	}
	if width <= 0 || height <= 0 {
		return 0, 0, fmt.Errorf("%w: cropped to %dx%d", ErrMalformed, width, height)
	}
	return width, height, nil
}
