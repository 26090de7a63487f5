package transcoder

import "fmt"

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

// bits reads an RBSP (emulation prevention bytes removed) MSB first. A read
// past the end sets err and returns zeros, so parsers check err once.
type bits struct {
	b   []byte
	pos int
	err error
}

func (r *bits) u(n int) uint32 {
	var v uint32
	for range n {
		if r.pos >= 8*len(r.b) {
			r.err = fmt.Errorf("%w: bitstream ends early", ErrMalformed)
			return 0
		}
		v = v<<1 | uint32(r.b[r.pos/8]>>(7-r.pos%8))&1
		r.pos++
	}
	return v
}

// ue reads an Exp-Golomb code (H.264 §9.1), refusing codes longer than 31
// bits.
func (r *bits) ue() uint32 {
	zeros := 0
	for r.u(1) == 0 {
		if zeros++; zeros > 31 || r.err != nil {
			if r.err == nil {
				r.err = fmt.Errorf("%w: Exp-Golomb code too long", ErrMalformed)
			}
			return 0
		}
	}
	return 1<<zeros - 1 + r.u(zeros)
}

func (r *bits) se() int32 {
	k := r.ue()
	if k%2 == 1 {
		return int32(k/2 + 1)
	}
	return -int32(k / 2)
}

// rbsp removes emulation prevention bytes (H.264 §7.4.1: 00 00 03 → 00 00).
func rbsp(nal []byte) []byte {
	out := make([]byte, 0, len(nal))
	zeros := 0
	for _, c := range nal {
		if zeros >= 2 && c == 3 {
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

// h264SPSSize returns the cropped picture size a sequence parameter set
// declares (H.264 §7.3.2.1.1, §7.4.2.1.1), so that the size is checked
// before a decoder sees it. sps starts with its NAL header.
func h264SPSSize(sps []byte) (width, height int, err error) {
	if len(sps) < 4 || sps[0]&0x1f != nalSPS {
		return 0, 0, fmt.Errorf("%w: not an SPS", ErrMalformed)
	}
	r := &bits{b: rbsp(sps[1:])}
	profile := r.u(8)
	r.u(16) // constraint flags, level_idc
	r.ue()  // seq_parameter_set_id
	chroma := uint32(1)
	if highProfile(profile) {
		chroma = readChromaFormat(r)
	}
	r.ue() // log2_max_frame_num_minus4
	skipPicOrderCount(r)
	r.ue() // max_num_ref_frames
	r.u(1) // gaps_in_frame_num_value_allowed_flag
	wMBs, hUnits := r.ue()+1, r.ue()+1
	frameMBsOnly := r.u(1)
	if frameMBsOnly == 0 {
		r.u(1) // mb_adaptive_frame_field_flag
	}
	r.u(1) // direct_8x8_inference_flag
	var crop [4]uint32
	if r.u(1) == 1 {
		for i := range crop {
			crop[i] = r.ue()
		}
	}
	if r.err != nil {
		return 0, 0, r.err
	}
	if wMBs > MaxDimension/16 || hUnits > MaxDimension/16 {
		return 0, 0, fmt.Errorf("%w: SPS of %dx%d macroblocks", ErrTooLarge, wMBs, hUnits)
	}
	return croppedSize(wMBs, hUnits, frameMBsOnly, chroma, crop)
}

// highProfile reports profiles whose SPS carries chroma and bit depth
// fields (H.264 §7.3.2.1.1).
func highProfile(p uint32) bool {
	switch p {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		return true
	}
	return false
}

// readChromaFormat reads chroma_format_idc and skips the fields after it up
// to log2_max_frame_num_minus4.
func readChromaFormat(r *bits) uint32 {
	chroma := r.ue()
	if chroma == 3 {
		r.u(1) // separate_colour_plane_flag
	}
	r.ue()           // bit_depth_luma_minus8
	r.ue()           // bit_depth_chroma_minus8
	r.u(1)           // qpprime_y_zero_transform_bypass_flag
	if r.u(1) == 1 { // seq_scaling_matrix_present_flag
		n := 8
		if chroma == 3 {
			n = 12
		}
		for i := range n {
			if r.u(1) == 1 {
				size := 64
				if i < 6 {
					size = 16
				}
				skipScalingList(r, size)
			}
		}
	}
	return chroma
}

// skipScalingList skips one scaling_list() (H.264 §7.3.2.1.1.1).
func skipScalingList(r *bits, size int) {
	last, next := int32(8), int32(8)
	for range size {
		if next != 0 {
			next = (last + r.se() + 256) % 256
		}
		if next != 0 {
			last = next
		}
		if r.err != nil {
			return
		}
	}
}

func skipPicOrderCount(r *bits) {
	switch r.ue() {
	case 0:
		r.ue() // log2_max_pic_order_cnt_lsb_minus4
	case 1:
		r.u(1) // delta_pic_order_always_zero_flag
		r.se() // offset_for_non_ref_pic
		r.se() // offset_for_top_to_bottom_field
		n := r.ue()
		if n > 255 {
			r.err = fmt.Errorf("%w: %d reference frames in the POC cycle", ErrMalformed, n)
			return
		}
		for range n {
			r.se()
		}
	}
}

// croppedSize applies the frame cropping rectangle (H.264 §7.4.2.1.1,
// Table 6-1 for the crop units of each chroma format).
func croppedSize(wMBs, hUnits, frameMBsOnly, chroma uint32, crop [4]uint32) (int, int, error) {
	w := int(wMBs) * 16
	h := int(hUnits) * 16 * int(2-frameMBsOnly)
	cx, cy := 1, int(2-frameMBsOnly)
	switch chroma {
	case 1:
		cx, cy = 2, 2*cy
	case 2:
		cx = 2
	}
	w -= cx * int(min(crop[0]+crop[1], 1<<16))
	h -= cy * int(min(crop[2]+crop[3], 1<<16))
	if w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("%w: cropping removes the whole picture", ErrMalformed)
	}
	return w, h, nil
}

// H264SliceType returns the slice_type of a coded slice NAL unit (types 1
// and 5), read from the start of its slice header (H.264 §7.3.3), modulo 5:
// 0 P, 1 B, 2 I, 3 SP, 4 SI. ok is false for other NAL units. The gateway
// uses it to spot B-frames, which some browsers play badly.
func H264SliceType(nal []byte) (sliceType int, ok bool) {
	if len(nal) < 2 {
		return 0, false
	}
	if t := nal[0] & 0x1f; t != nalSlice && t != nalIDR {
		return 0, false
	}
	head := nal[1:min(len(nal), 16)]
	r := &bits{b: rbsp(head)}
	r.ue() // first_mb_in_slice
	st := r.ue()
	if r.err != nil || st > 9 {
		return 0, false
	}
	return int(st % 5), true
}
