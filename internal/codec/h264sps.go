package codec

import "fmt"

// Bounds that keep a hostile SPS from claiming absurd values (§7.4.2.1.1
// gives the legal ranges; MaxSide is far above what any level allows).
const (
	// MaxSide is the largest coded width, and height of a frame or field,
	// in pixels that ParseSPS accepts whatever limit its caller passes.
	MaxSide = 1 << 16

	maxSPSBytes       = 4096
	maxRefFramesInPOC = 255
)

// SPS holds the fields of a sequence parameter set that mediagate uses.
type SPS struct {
	// ProfileIDC is profile_idc (Annex A.2), e.g. 66 baseline, 100 high.
	ProfileIDC uint8
	// Constraints is the byte of constraint_set0_flag to
	// constraint_set5_flag and reserved_zero_2bits, first flag highest.
	Constraints uint8
	// LevelIDC is level_idc, ten times the level number (Annex A.3).
	LevelIDC uint8
	// Width and Height are the size in pixels of a decoded frame after the
	// frame cropping rectangle (§7.4.2.1.1, equations 7-19 to 7-22).
	Width, Height int
}

// ParseSPS parses a sequence parameter set NAL unit, header byte first,
// per ITU-T H.264 §7.3.2.1.1. Emulation prevention bytes are removed first
// and every read is bounds-checked. maxSide caps the coded width and the
// coded height of a frame or field in pixels, before cropping; a value
// below 16 or above MaxSide means MaxSide. A picture beyond it returns an
// error wrapping ErrTooLarge; a truncated, mistyped or out-of-range SPS
// returns one wrapping ErrMalformed.
func ParseSPS(nal []byte, maxSide int) (SPS, error) {
	if len(nal) < 4 || H264NALType(nal[0]) != H264SPS {
		return SPS{}, fmt.Errorf("%w: not an SPS NAL unit", ErrMalformed)
	}
	if len(nal) > maxSPSBytes {
		return SPS{}, fmt.Errorf("%w: SPS of %d bytes", ErrMalformed, len(nal))
	}
	r := NewBitReader(unescapeRBSP(nal[1:]))
	s := SPS{ProfileIDC: uint8(r.U(8)), Constraints: uint8(r.U(8)), LevelIDC: uint8(r.U(8))}
	r.UE() // seq_parameter_set_id
	chroma := uint32(1)
	if hasChromaInfo(s.ProfileIDC) {
		chroma = readChromaInfo(r)
	}
	r.UE() // log2_max_frame_num_minus4
	skipPicOrderCnt(r)
	r.UE() // max_num_ref_frames
	r.U(1) // gaps_in_frame_num_value_allowed_flag
	f := frame{wMBs: r.UE() + 1, hMapUnits: r.UE() + 1, chroma: chroma}
	f.frameMBsOnly = r.U(1)
	if f.frameMBsOnly == 0 {
		r.U(1) // mb_adaptive_frame_field_flag
	}
	r.U(1)           // direct_8x8_inference_flag
	if r.U(1) == 1 { // frame_cropping_flag
		for i := range f.crop {
			f.crop[i] = r.UE()
		}
	}
	if err := r.Err(); err != nil {
		return SPS{}, err
	}
	var err error
	if s.Width, s.Height, err = f.size(maxSide); err != nil {
		return SPS{}, err
	}
	return s, nil
}

// hasChromaInfo reports the profiles whose SPS carries chroma_format_idc
// and the bit depths (§7.3.2.1.1).
func hasChromaInfo(profile uint8) bool {
	switch profile {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		return true
	}
	return false
}

// readChromaInfo reads chroma_format_idc through the scaling matrices and
// returns ChromaArrayType: chroma_format_idc, or 0 when the colour planes
// are coded separately (§7.4.2.1.1).
func readChromaInfo(r *BitReader) uint32 {
	format := r.UE()
	if format > 3 {
		r.fail("chroma_format_idc %d", format)
		return 1
	}
	chroma := format
	if format == 3 && r.U(1) == 1 { // separate_colour_plane_flag
		chroma = 0
	}
	r.UE()           // bit_depth_luma_minus8
	r.UE()           // bit_depth_chroma_minus8
	r.U(1)           // qpprime_y_zero_transform_bypass_flag
	if r.U(1) == 1 { // seq_scaling_matrix_present_flag
		lists := 8
		if format == 3 {
			lists = 12
		}
		for i := 0; i < lists && r.Err() == nil; i++ {
			if r.U(1) == 1 { // seq_scaling_list_present_flag[i]
				size := 16
				if i >= 6 {
					size = 64
				}
				skipScalingList(r, size)
			}
		}
	}
	return chroma
}

// skipScalingList reads a scaling_list() of size entries (§7.3.2.1.1.1).
func skipScalingList(r *BitReader, size int) {
	last, next := int32(8), int32(8)
	for j := 0; j < size && r.Err() == nil; j++ {
		if next != 0 {
			next = (last + r.SE() + 256) % 256
		}
		if next != 0 {
			last = next
		}
	}
}

// skipPicOrderCnt reads the pic_order_cnt_type branch of the SPS
// (§7.3.2.1.1); types above 2 are out of range (§7.4.2.1.1).
func skipPicOrderCnt(r *BitReader) {
	switch t := r.UE(); t {
	case 0:
		r.UE() // log2_max_pic_order_cnt_lsb_minus4
	case 1:
		r.U(1) // delta_pic_order_always_zero_flag
		r.SE() // offset_for_non_ref_pic
		r.SE() // offset_for_top_to_bottom_field
		n := r.UE()
		if n > maxRefFramesInPOC {
			r.fail("num_ref_frames_in_pic_order_cnt_cycle %d", n)
			return
		}
		for i := uint32(0); i < n && r.Err() == nil; i++ {
			r.SE() // offset_for_ref_frame[i]
		}
	case 2:
	default:
		r.fail("pic_order_cnt_type %d", t)
	}
}

// H264SPSInfo parses a sequence parameter set NAL unit (with its header byte)
// per ITU-T H.264 §7.3.2.1.1 and returns the profile_idc, the constraint_set
// flags byte, level_idc and the cropped picture size in pixels. The parsing
// is ParseSPS with its widest picture limit (MaxSide, far above any level):
// the gateway forwards what it does not decode. Emulation prevention bytes
// are removed first; every read is bounds-checked, and a truncated or
// out-of-range SPS returns an error wrapping ErrBadSPS.
func H264SPSInfo(sps []byte) (profileIDC, constraints, levelIDC uint8, width, height int, err error) {
	s, err := ParseSPS(sps, MaxSide)
	if err != nil {
		return 0, 0, 0, 0, 0, fmt.Errorf("%w: %w", ErrBadSPS, err)
	}
	return s.ProfileIDC, s.Constraints, s.LevelIDC, s.Width, s.Height, nil
}

// frame is the coded picture size of an SPS and its cropping rectangle.
type frame struct {
	wMBs         uint32    // PicWidthInMbs
	hMapUnits    uint32    // PicHeightInMapUnits
	frameMBsOnly uint32    // frame_mbs_only_flag
	chroma       uint32    // ChromaArrayType
	crop         [4]uint32 // frame_crop_left, right, top, bottom offsets
}

// size checks the coded size against maxSide and returns the size after
// cropping: FrameHeightInMbs, then CropUnitX and CropUnitY of the chroma
// format (§7.4.2.1.1, equations 7-19 to 7-22; Table 6-1).
func (f *frame) size(maxSide int) (width, height int, err error) {
	if maxSide < 16 || maxSide > MaxSide {
		maxSide = MaxSide
	}
	if limit := uint32(maxSide / 16); f.wMBs > limit || f.hMapUnits > limit {
		return 0, 0, fmt.Errorf("%w: %dx%d macroblocks, at most %d a side", ErrTooLarge, f.wMBs, f.hMapUnits, limit)
	}
	frameHeightFactor := 2 - int(f.frameMBsOnly)
	cropX, cropY := 1, frameHeightFactor
	switch f.chroma {
	case 1:
		cropX, cropY = 2, 2*frameHeightFactor
	case 2:
		cropX = 2
	}
	width = int(f.wMBs) * 16
	height = int(f.hMapUnits) * 16 * frameHeightFactor
	for i, c := range f.crop {
		if c > MaxSide {
			return 0, 0, fmt.Errorf("%w: crop offset %d", ErrMalformed, c)
		}
		if i < 2 {
			width -= int(c) * cropX
		} else {
			height -= int(c) * cropY
		}
	}
	if width <= 0 || height <= 0 {
		return 0, 0, fmt.Errorf("%w: cropped to %dx%d", ErrMalformed, width, height)
	}
	return width, height, nil
}
