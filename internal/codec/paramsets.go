package codec

import "strings"

// ParameterSetCodec reports whether a MIME type is a video format whose
// decoders need parameter sets before a keyframe: H.264 (SPS, PPS) or
// H.265 (VPS, SPS, PPS).
func ParameterSetCodec(mimeType string) bool {
	return strings.EqualFold(mimeType, MimeH264) || strings.EqualFold(mimeType, MimeH265)
}

// FmtpParameterSets returns the parameter sets an H.264 or H.265 format
// declares out of band, in decoding order, each a whole NAL unit: the SPS
// and PPS of sprop-parameter-sets (RFC 6184 §8.1), or the VPS, SPS and PPS
// of sprop-vps, sprop-sps and sprop-pps (RFC 7798 §7.1). It returns nil
// for other formats and when the fmtp has none, or not all, of them.
func FmtpParameterSets(mimeType, fmtp string) [][]byte {
	switch {
	case strings.EqualFold(mimeType, MimeH264):
		if sps, pps, err := ParseSprop(fmtp); err == nil {
			return [][]byte{sps, pps}
		}
	case strings.EqualFold(mimeType, MimeH265):
		if s, err := ParseH265Sprop(fmtp); err == nil {
			return s.NALUs()
		}
	}
	return nil
}

// AggregateNALs builds the one RTP payload of the format that carries the
// given NAL units: an H.264 STAP-A (RFC 6184 §5.7.1) or an H.265
// aggregation packet (RFC 7798 §4.4.2). It returns nil for other formats
// and when the builder refuses the units.
func AggregateNALs(mimeType string, nalus [][]byte) []byte {
	switch {
	case strings.EqualFold(mimeType, MimeH264):
		return BuildSTAPA(nalus...)
	case strings.EqualFold(mimeType, MimeH265):
		return BuildH265AP(nalus...)
	}
	return nil
}

// SPSDetector returns the function that finds an SPS in one RTP payload
// of the format, whole or aggregated (PayloadSPS, H265PayloadSPS), or nil
// for formats without parameter sets.
func SPSDetector(mimeType string) func(payload []byte) []byte {
	switch {
	case strings.EqualFold(mimeType, MimeH264):
		return PayloadSPS
	case strings.EqualFold(mimeType, MimeH265):
		return H265PayloadSPS
	}
	return nil
}
