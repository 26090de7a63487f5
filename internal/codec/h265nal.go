package codec

// H.265 NAL unit types (ITU-T H.265 Table 7-1) and the RTP packet types of
// RFC 7798 §4.4 that share their field, as H265NALType returns them.
const (
	// H265BLAWLP is the first IRAP type: a broken link access picture
	// (BLA_W_LP); 16 to 21 are the IRAP pictures where decoding may start.
	H265BLAWLP = 16
	// H265IDRWRADL is an IDR picture that may have decodable leading
	// pictures (IDR_W_RADL).
	H265IDRWRADL = 19
	// H265IDRNLP is an IDR picture without leading pictures (IDR_N_LP).
	H265IDRNLP = 20
	// H265CRA is a clean random access picture, the last IRAP type.
	H265CRA = 21
	// H265VPS is a video parameter set.
	H265VPS = 32
	// H265SPS is a sequence parameter set.
	H265SPS = 33
	// H265PPS is a picture parameter set.
	H265PPS = 34
	// H265AUD is an access unit delimiter.
	H265AUD = 35
	// H265PrefixSEI is supplemental enhancement information before the
	// picture's slices.
	H265PrefixSEI = 39
	// H265AP is the RTP aggregation packet (RFC 7798 §4.4.2).
	H265AP = 48
	// H265FU is the RTP fragmentation unit (RFC 7798 §4.4.3).
	H265FU = 49
	// H265PACI is the RTP PACI packet (RFC 7798 §4.4.4), which mediagate
	// does not take.
	H265PACI = 50
)

// h265VCLMax is the last NAL unit type of a coded slice segment (VCL NAL
// units are types 0 to 31, §7.4.2.2).
const h265VCLMax = 31

// H265NALHeaderLen is the length of the H.265 NAL unit header, which also
// heads every RTP payload of the format (RFC 7798 §1.1.4, §4.4).
const H265NALHeaderLen = 2

// H265NALType returns the nal_unit_type of the first byte of an H.265 NAL
// unit header, or the packet type of the first byte of an H.265 RTP
// payload: the six bits after the forbidden_zero_bit (§7.3.1.2).
func H265NALType(header byte) uint8 {
	return header >> 1 & 0x3f
}

// H265IsIRAP reports whether a NAL unit type is an intra random access
// point picture's slice (BLA, IDR or CRA, types 16 to 21, §3.73).
func H265IsIRAP(t uint8) bool {
	return t >= H265BLAWLP && t <= H265CRA
}

// h265Key reports the NAL unit types that start a random-access point: an
// IRAP slice, or the VPS or SPS that precede one (as H.264's SPS does).
func h265Key(t uint8) bool {
	return H265IsIRAP(t) || t == H265VPS || t == H265SPS
}

// H265FirstSliceInPicture reports whether a NAL unit (header first) is a
// coded slice segment that begins its picture: a VCL type with
// first_slice_segment_in_pic_flag set, the first bit after the header
// (§7.3.6.1).
func H265FirstSliceInPicture(nal []byte) bool {
	return len(nal) > H265NALHeaderLen && H265NALType(nal[0]) <= h265VCLMax && nal[2]&0x80 != 0
}

// H265StartsAccessUnit reports whether a NAL unit (header first) can only
// be the first of its access unit, or begins its picture: an access unit
// delimiter, a parameter set, a prefix SEI, or the first slice segment of
// a picture (§7.4.2.4.4).
func H265StartsAccessUnit(nal []byte) bool {
	if len(nal) < H265NALHeaderLen {
		return false
	}
	switch H265NALType(nal[0]) {
	case H265AUD, H265VPS, H265SPS, H265PPS, H265PrefixSEI:
		return true
	}
	return H265FirstSliceInPicture(nal)
}
