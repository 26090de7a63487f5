package outbound

import (
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// Writer sends one RTP packet of a Track: the header the Track built and
// the payload, unchanged. It returns how many bytes went out; zero with a
// nil error means the packet was dropped without fault (pion before SRTP is
// up). A Writer does its own error accounting. pion's
// webrtc.TrackLocalWriter satisfies it.
type Writer interface {
	WriteRTP(h *rtp.Header, payload []byte) (int, error)
}

// WriterFunc adapts a function to a Writer.
type WriterFunc func(h *rtp.Header, payload []byte) (int, error)

// WriteRTP calls f.
func (f WriterFunc) WriteRTP(h *rtp.Header, payload []byte) (int, error) { return f(h, payload) }

// RTCPWriter sends one compound RTCP packet to the Track's receiver.
// *webrtc.PeerConnection satisfies it.
type RTCPWriter interface {
	WriteRTCP(pkts []rtcp.Packet) error
}

// RTCPWriterFunc adapts a function to an RTCPWriter.
type RTCPWriterFunc func(pkts []rtcp.Packet) error

// WriteRTCP calls f.
func (f RTCPWriterFunc) WriteRTCP(pkts []rtcp.Packet) error { return f(pkts) }
