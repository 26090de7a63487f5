package transcoder

import "mediagate.dev/mediagate/internal/codec"

// h264Syntax is RFC 6184's payload format for the NAL-unit depacketizer.
type h264Syntax struct{}

func (h264Syntax) name() string { return "H.264" }

func (h264Syntax) isFragment(p []byte) bool { return codec.H264NALType(p[0]) == codec.H264FUA }

func (h264Syntax) fragment(p []byte) (nalFragment, error) {
	fu, err := codec.ParseH264FUA(p)
	return nalFragment{start: fu.Start, end: fu.End, header: []byte{fu.Header}, data: fu.Data}, err
}

func (h264Syntax) walk(p []byte, fn func([]byte) bool) error { return codec.WalkH264NALs(p, fn) }

func (h264Syntax) keyframe(h []byte) bool { return codec.H264NALType(h[0]) == codec.H264IDR }

func (h264Syntax) isSPS(h []byte) bool { return codec.H264NALType(h[0]) == codec.H264SPS }

// startsAU: an access unit delimiter, SEI, SPS or PPS, or the first slice
// of a picture (first_mb_in_slice 0, the single bit 1 of its ue(v)).
func (h264Syntax) startsAU(nal []byte) bool {
	switch codec.H264NALType(nal[0]) {
	case codec.H264AUD, codec.H264SEI, codec.H264SPS, codec.H264PPS:
		return true
	case codec.H264Slice, codec.H264IDR:
		return len(nal) > 1 && nal[1]&0x80 != 0
	}
	return false
}

// h265Syntax is RFC 7798's payload format, without DONL, for the NAL-unit
// depacketizer.
type h265Syntax struct{}

func (h265Syntax) name() string { return "H.265" }

func (h265Syntax) isFragment(p []byte) bool { return codec.H265NALType(p[0]) == codec.H265FU }

func (h265Syntax) fragment(p []byte) (nalFragment, error) {
	fu, err := codec.ParseH265FU(p)
	return nalFragment{start: fu.Start, end: fu.End, header: fu.Header[:], data: fu.Data}, err
}

func (h265Syntax) walk(p []byte, fn func([]byte) bool) error { return codec.WalkH265NALs(p, fn) }

func (h265Syntax) keyframe(h []byte) bool { return codec.H265IsIRAP(codec.H265NALType(h[0])) }

func (h265Syntax) isSPS(h []byte) bool { return codec.H265NALType(h[0]) == codec.H265SPS }

func (h265Syntax) startsAU(nal []byte) bool { return codec.H265StartsAccessUnit(nal) }
