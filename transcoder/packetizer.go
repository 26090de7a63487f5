package transcoder

import (
	"fmt"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

// DefaultMTU is the largest RTP payload a pipeline writes: small enough for
// any path once SRTP, TURN and IPv6 headers are added.
const DefaultMTU = 1200

// Output receives each packet a pipeline produces, on the goroutine that
// called Write. payload is newly allocated and becomes the receiver's;
// keyframe marks the first packet of a key frame.
type Output func(h rtp.Header, payload []byte, keyframe bool)

// packetizer splits encoded frames into RTP packets: H.264 in packetization
// mode 1 with SPS and PPS aggregated in a STAP-A (RFC 6184 §5.7.1, §5.8),
// VP8 with a 15-bit PictureID (RFC 7741 §4.2), Opus one frame per packet
// (RFC 7587 §4.2).
type packetizer struct {
	payloader rtp.Payloader
	mtu       uint16
	pt        uint8
	ssrc      uint32
	seq       uint16
	out       Output
}

func newPacketizer(mime string, pt uint8, ssrc uint32, mtu int, seq uint16, out Output) (*packetizer, error) {
	var pl rtp.Payloader
	switch {
	case SameCodec(mime, H264):
		pl = &codecs.H264Payloader{}
	case SameCodec(mime, VP8):
		pl = &codecs.VP8Payloader{EnablePictureID: true}
	case SameCodec(mime, Opus):
		pl = &codecs.OpusPayloader{}
	default:
		return nil, fmt.Errorf("%w: packetize %s", ErrUnsupported, mime)
	}
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	return &packetizer{payloader: pl, mtu: uint16(min(mtu, 1<<15)), pt: pt, ssrc: ssrc, seq: seq, out: out}, nil
}

// packetize writes one frame at timestamp ts and returns the bytes written;
// the marker is set on its last packet (RFC 6184 §5.1, RFC 7741 §4.1).
func (p *packetizer) packetize(frame []byte, ts uint32, keyframe bool) int {
	payloads := p.payloader.Payload(p.mtu, frame)
	n := 0
	for i, pl := range payloads {
		h := rtp.Header{
			Version: 2, PayloadType: p.pt, SequenceNumber: p.seq, Timestamp: ts, SSRC: p.ssrc,
			Marker: i == len(payloads)-1,
		}
		p.seq++
		n += len(pl)
		p.out(h, pl, keyframe && i == 0)
	}
	return n
}
