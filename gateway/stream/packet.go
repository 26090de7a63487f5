package stream

import (
	"time"

	"github.com/pion/rtp"
)

// Packet is one RTP packet as its source sent it, parsed once by the source
// and shared by every subscriber. It is immutable once written to a Track:
// subscribers that need another header (their own SSRC, sequence numbers and
// timestamps) build a new one.
type Packet struct {
	rtp.Header
	Payload []byte
	// Arrival is when the datagram was read from the socket.
	Arrival time.Time
	// Keyframe marks a packet that starts a random-access point: for H.264 an
	// SPS or the first packet of an IDR picture, for VP8 the first packet of
	// a key frame. A viewer may start its stream at such a packet.
	Keyframe bool
}
