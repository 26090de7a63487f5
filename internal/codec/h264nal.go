package codec

// H.264 NAL unit types (ITU-T H.264 Table 7-1) and the RTP packet types of
// RFC 6184 §5.2 that share their field, as H264NALType returns them.
const (
	// H264Slice is a coded slice of a non-IDR picture.
	H264Slice = 1
	// H264IDR is a coded slice of an IDR picture, where decoding may start.
	H264IDR = 5
	// H264SEI is supplemental enhancement information.
	H264SEI = 6
	// H264SPS is a sequence parameter set.
	H264SPS = 7
	// H264PPS is a picture parameter set.
	H264PPS = 8
	// H264AUD is an access unit delimiter.
	H264AUD = 9
	// H264STAPA is the RTP aggregation packet STAP-A (RFC 6184 §5.7.1).
	H264STAPA = 24
	// H264FUA is the RTP fragmentation unit FU-A (RFC 6184 §5.8).
	H264FUA = 28
)

// Fields of the one-byte H.264 NAL unit header (RFC 6184 §1.3, §5.3), which
// also heads every RTP payload of the format.
const (
	nalTypeMask = 0x1f
	nalNRIMask  = 0x60
	nalFBit     = 0x80
)

// H264NALType returns the nal_unit_type of a NAL unit header byte, or the
// packet type of the first byte of an H.264 RTP payload (RFC 6184 §5.2).
func H264NALType(header byte) uint8 {
	return header & nalTypeMask
}

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
