package ingest

import (
	"errors"
	"strings"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// payloadCheck refuses video payloads that cannot be valid RTP payload of
// the track's codec, so that passthrough viewers never receive what the
// transcoder would drop: for H.264, packet types outside packetization
// mode 1, STAP-As that overrun, FU-As that are malformed or continue a
// unit whose start was lost, and a sequence parameter set that changes to
// one that does not parse or declares a picture beyond H.264's largest
// level (internal/codec's H264Stream); for VP8, a payload descriptor
// without data (RFC 7741 §4.2). Guarded by Source.mu.
type payloadCheck struct {
	h264 *codec.H264Stream
	vp8  bool
}

// newPayloadCheck returns the check of a track of mime type, or nil for a
// codec whose payloads are forwarded as they are (audio).
func newPayloadCheck(kind stream.Kind, mime string) *payloadCheck {
	switch {
	case kind != stream.Video:
		return nil
	case strings.EqualFold(mime, "video/H264"):
		return &payloadCheck{h264: &codec.H264Stream{}}
	case strings.EqualFold(mime, "video/VP8"):
		return &payloadCheck{vp8: true}
	}
	return nil
}

// refuse checks pkt, delivered in sequence order, and returns why it must
// be dropped; ok is false when it may pass.
func (c *payloadCheck) refuse(pkt *stream.Packet) (dropReason, bool) {
	if c == nil {
		return 0, false
	}
	if c.vp8 {
		if _, err := codec.ParseVP8Descriptor(pkt.Payload); err != nil {
			return dropVP8Descriptor, true
		}
		return 0, false
	}
	err := c.h264.Check(pkt.SequenceNumber, pkt.Payload)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, codec.ErrH264STAPA):
		return dropH264STAPA, true
	case errors.Is(err, codec.ErrH264FUA):
		return dropH264FUA, true
	case errors.Is(err, codec.ErrH264SPS):
		return dropH264SPS, true
	default:
		return dropH264PacketType, true
	}
}
