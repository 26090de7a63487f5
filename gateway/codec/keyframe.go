package codec

import "strings"

// H.264 NAL unit types used here (RFC 6184 §5.2, ITU-T H.264 Table 7-1).
const (
	naluIDR   = 5
	naluSPS   = 7
	naluPPS   = 8
	naluSTAPA = 24
	naluFUA   = 28
)

// IsKeyframe reports whether an RTP payload of the given MIME type
// ("video/H264", "video/VP8", case-insensitive) starts a random-access point.
// Other MIME types are never keyframes. It never panics on short input.
func IsKeyframe(mimeType string, payload []byte) bool {
	switch {
	case strings.EqualFold(mimeType, "video/h264"):
		return H264IsKeyframe(payload)
	case strings.EqualFold(mimeType, "video/vp8"):
		return VP8IsKeyframe(payload)
	}
	return false
}

// H264IsKeyframe reports whether an H.264 RTP payload carries an SPS or the
// start of an IDR slice: a single NAL unit, any unit of a STAP-A, or the
// first fragment of an FU-A (RFC 6184 §5.6, §5.7.1, §5.8).
func H264IsKeyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	switch t := p[0] & 0x1f; t {
	case naluIDR, naluSPS:
		return true
	case naluSTAPA:
		for rest := p[1:]; len(rest) >= 2; {
			n := int(rest[0])<<8 | int(rest[1])
			rest = rest[2:]
			if n == 0 || n > len(rest) {
				return false
			}
			if k := rest[0] & 0x1f; k == naluIDR || k == naluSPS {
				return true
			}
			rest = rest[n:]
		}
	case naluFUA:
		if len(p) < 2 {
			return false
		}
		start := p[1]&0x80 != 0
		k := p[1] & 0x1f
		return start && (k == naluIDR || k == naluSPS)
	}
	return false
}

// VP8IsKeyframe reports whether a VP8 RTP payload is the first packet of a
// key frame: the payload descriptor's S bit set with partition index 0, and
// the P bit of the VP8 payload header clear (RFC 7741 §4.2, §4.3).
func VP8IsKeyframe(p []byte) bool {
	n := VP8DescriptorLen(p)
	if n <= 0 || n >= len(p) {
		return false
	}
	if p[0]&0x10 == 0 || p[0]&0x0f != 0 {
		return false
	}
	return p[n]&0x01 == 0
}

// VP8DescriptorLen returns the length of the VP8 payload descriptor at the
// start of p (RFC 7741 §4.2), or -1 when p is too short to hold it.
func VP8DescriptorLen(p []byte) int {
	if len(p) < 1 {
		return -1
	}
	n := 1
	if p[0]&0x80 == 0 { // X: no extension byte
		return n
	}
	if len(p) < 2 {
		return -1
	}
	ext := p[1]
	n++
	if ext&0x80 != 0 { // I: PictureID, 7 or 15 bits
		if len(p) < n+1 {
			return -1
		}
		if p[n]&0x80 != 0 {
			n++
		}
		n++
	}
	if ext&0x40 != 0 { // L: TL0PICIDX
		n++
	}
	if ext&0x30 != 0 { // T or K: TID/Y/KEYIDX
		n++
	}
	if n > len(p) {
		return -1
	}
	return n
}
