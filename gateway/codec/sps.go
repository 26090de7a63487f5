package codec

import "fmt"

// Bounds that keep a hostile SPS from claiming absurd values (ITU-T H.264
// §7.4.2.1.1 gives the legal ranges; the picture cap is far above any level).
const (
	maxSPSBytes       = 4096
	maxRefFramesInPOC = 255
	maxPictureMBs     = 1 << 12 // per dimension: 65536 pixels
)

// H264SPSInfo parses a sequence parameter set NAL unit (with its header byte)
// per ITU-T H.264 §7.3.2.1.1 and returns the profile_idc, the constraint_set
// flags byte, level_idc and the cropped picture size in pixels. Emulation
// prevention bytes are removed first; every read is bounds-checked, and a
// truncated or out-of-range SPS returns an error wrapping ErrBadSPS.
func H264SPSInfo(sps []byte) (profileIDC, constraints, levelIDC uint8, width, height int, err error) {
	if len(sps) < 4 || sps[0]&naluTypeMask != naluSPS {
		return 0, 0, 0, 0, 0, fmt.Errorf("%w: not an SPS NAL unit", ErrBadSPS)
	}
	if len(sps) > maxSPSBytes {
		return 0, 0, 0, 0, 0, fmt.Errorf("%w: %d bytes", ErrBadSPS, len(sps))
	}
	r := &bitReader{buf: unescapeRBSP(sps[1:])}
	profileIDC, constraints, levelIDC = uint8(r.bits(8)), uint8(r.bits(8)), uint8(r.bits(8))
	r.ue() // seq_parameter_set_id
	chroma := uint32(1)
	if hasChromaInfo(profileIDC) {
		chroma = readChromaInfo(r)
	}
	r.ue() // log2_max_frame_num_minus4
	skipPicOrderCnt(r)
	r.ue()  // max_num_ref_frames
	r.bit() // gaps_in_frame_num_value_allowed_flag
	w := r.ue() + 1
	h := r.ue() + 1
	frameMBsOnly := r.bit()
	if frameMBsOnly == 0 {
		r.bit() // mb_adaptive_frame_field_flag
	}
	r.bit()            // direct_8x8_inference_flag
	var crop [4]uint32 // left, right, top, bottom
	if r.bit() == 1 {
		for i := range crop {
			crop[i] = r.ue()
		}
	}
	if r.err != nil {
		return 0, 0, 0, 0, 0, fmt.Errorf("%w: %v", ErrBadSPS, r.err)
	}
	width, height, err = pictureSize(w, h, frameMBsOnly, chroma, crop)
	if err != nil {
		return 0, 0, 0, 0, 0, err
	}
	return profileIDC, constraints, levelIDC, width, height, nil
}

// hasChromaInfo reports the profiles whose SPS carries chroma_format_idc and
// bit depths (§7.3.2.1.1).
func hasChromaInfo(profile uint8) bool {
	switch profile {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		return true
	}
	return false
}

// readChromaInfo reads chroma_format_idc through the scaling matrices and
// returns ChromaArrayType (0 when colour planes are coded separately).
func readChromaInfo(r *bitReader) uint32 {
	format := r.ue()
	if format > 3 {
		r.fail("chroma_format_idc %d", format)
		return 1
	}
	chroma := format
	if format == 3 && r.bit() == 1 { // separate_colour_plane_flag
		chroma = 0
	}
	r.ue()            // bit_depth_luma_minus8
	r.ue()            // bit_depth_chroma_minus8
	r.bit()           // qpprime_y_zero_transform_bypass_flag
	if r.bit() == 1 { // seq_scaling_matrix_present_flag
		lists := 8
		if format == 3 {
			lists = 12
		}
		for i := 0; i < lists && r.err == nil; i++ {
			if r.bit() == 1 {
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
func skipScalingList(r *bitReader, size int) {
	last, next := int32(8), int32(8)
	for j := 0; j < size && r.err == nil; j++ {
		if next != 0 {
			next = (last + r.se() + 256) % 256
		}
		if next != 0 {
			last = next
		}
	}
}

// skipPicOrderCnt reads the pic_order_cnt_type branch of the SPS.
func skipPicOrderCnt(r *bitReader) {
	switch t := r.ue(); t {
	case 0:
		r.ue() // log2_max_pic_order_cnt_lsb_minus4
	case 1:
		r.bit() // delta_pic_order_always_zero_flag
		r.se()  // offset_for_non_ref_pic
		r.se()  // offset_for_top_to_bottom_field
		n := r.ue()
		if n > maxRefFramesInPOC {
			r.fail("num_ref_frames_in_pic_order_cnt_cycle %d", n)
			return
		}
		for i := uint32(0); i < n && r.err == nil; i++ {
			r.se()
		}
	case 2:
	default:
		r.fail("pic_order_cnt_type %d", t)
	}
}

// pictureSize applies frame_mbs_only and the cropping window (§7.4.2.1.1,
// equations 7-19 to 7-22) to the coded size in macroblocks.
func pictureSize(wMBs, hMapUnits, frameMBsOnly, chroma uint32, crop [4]uint32) (int, int, error) {
	if wMBs > maxPictureMBs || hMapUnits > maxPictureMBs {
		return 0, 0, fmt.Errorf("%w: %dx%d macroblocks", ErrBadSPS, wMBs, hMapUnits)
	}
	frameHeightFactor := 2 - int(frameMBsOnly)
	cropX, cropY := 1, frameHeightFactor
	switch chroma {
	case 1:
		cropX, cropY = 2, 2*frameHeightFactor
	case 2:
		cropX = 2
	}
	width := int(wMBs) * 16
	height := int(hMapUnits) * 16 * frameHeightFactor
	for i, c := range crop {
		if c > maxPictureMBs*16 {
			return 0, 0, fmt.Errorf("%w: crop %d", ErrBadSPS, c)
		}
		if i < 2 {
			width -= int(c) * cropX
		} else {
			height -= int(c) * cropY
		}
	}
	if width <= 0 || height <= 0 {
		return 0, 0, fmt.Errorf("%w: cropped to %dx%d", ErrBadSPS, width, height)
	}
	return width, height, nil
}

// unescapeRBSP removes emulation_prevention_three_byte from a NAL unit's
// payload: every 0x03 that follows two zero bytes (§7.4.1).
func unescapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c == 0x03 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}
