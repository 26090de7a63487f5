package codec

import "strings"

// vp8Reserved is the R bit between S and PID in the first byte of the VP8
// payload descriptor (RFC 7741 §4.2).
const vp8Reserved = 0x08

// IsKeyframe reports whether an RTP payload of the given MIME type
// ("video/H264", "video/H265", "video/VP8", case-insensitive) starts a
// random-access point. Other MIME types are never keyframes. It never
// panics on short input.
func IsKeyframe(mimeType string, payload []byte) bool {
	return KeyframeDetector(mimeType)(payload)
}

// KeyframeDetector returns the keyframe test of a MIME type, resolved once
// for a track: H264IsKeyframe, H265IsKeyframe or VP8IsKeyframe, or a test
// that is always false for other types.
func KeyframeDetector(mimeType string) func(payload []byte) bool {
	switch {
	case strings.EqualFold(mimeType, MimeH264):
		return H264IsKeyframe
	case strings.EqualFold(mimeType, MimeH265):
		return H265IsKeyframe
	case strings.EqualFold(mimeType, MimeVP8):
		return VP8IsKeyframe
	}
	return never
}

func never([]byte) bool { return false }

// H264IsKeyframe reports whether an H.264 RTP payload carries an SPS or the
// start of an IDR slice: a single NAL unit, any unit of a STAP-A before a
// malformed one, or the first fragment of an FU-A (RFC 6184 §5.6, §5.7.1,
// §5.8).
func H264IsKeyframe(p []byte) bool {
	if len(p) > 0 && H264NALType(p[0]) == H264FUA {
		fu, err := ParseH264FUA(p)
		return err == nil && fu.Start && h264Key(fu.Type())
	}
	key := false
	_ = WalkH264NALs(p, func(nal []byte) bool {
		key = h264Key(H264NALType(nal[0]))
		return !key
	})
	return key
}

// h264Key reports the NAL unit types that start a random-access point: an
// IDR slice, or the SPS that precedes one.
func h264Key(t uint8) bool {
	return t == H264IDR || t == H264SPS
}

// VP8IsKeyframe reports whether a VP8 RTP payload is the first packet of a
// key frame: the payload descriptor's S bit set with partition index 0, and
// the P bit of the VP8 payload header clear (RFC 7741 §4.2, §4.3). A
// descriptor with its reserved R bit set is not taken as a key frame's
// start.
func VP8IsKeyframe(p []byte) bool {
	d, err := ParseVP8Descriptor(p)
	if err != nil || !d.FrameStart() || p[0]&vp8Reserved != 0 {
		return false
	}
	return p[d.Len]&vp8NonKeyP == 0
}
