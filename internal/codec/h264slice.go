package codec

// sliceHeaderBytes is how much of a slice NAL unit's payload SliceType
// reads: enough for first_mb_in_slice and slice_type at their longest.
const sliceHeaderBytes = 15

// SliceType returns the slice_type of a coded slice NAL unit (nal_unit_type
// 1 or 5, header byte first), read from the start of its slice header
// (ITU-T H.264 §7.3.3), modulo 5 as Table 7-6 defines it: 0 P, 1 B, 2 I,
// 3 SP, 4 SI. ok is false for other NAL units and for a truncated or
// out-of-range header.
func SliceType(nal []byte) (sliceType int, ok bool) {
	if len(nal) < 2 {
		return 0, false
	}
	if t := H264NALType(nal[0]); t != H264Slice && t != H264IDR {
		return 0, false
	}
	r := NewBitReader(unescapeRBSP(nal[1:min(len(nal), 1+sliceHeaderBytes)]))
	r.UE() // first_mb_in_slice
	st := r.UE()
	if r.Err() != nil || st > 9 {
		return 0, false
	}
	return int(st % 5), true
}
