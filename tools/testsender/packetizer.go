package main

import (
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"mediagate.dev/mediagate/transcoder"
)

// maxPayload is the largest RTP payload sent: it leaves room for the RTP
// header, the header extension, an SRTP tag and IPv6 and UDP headers in a
// 1280-byte path MTU.
const maxPayload = 1200

// packet is one RTP packet waiting for the pacer. The abs-send-time
// extension is added when it leaves.
type packet struct {
	hdr     rtp.Header
	payload []byte
}

// size is the packet's size on the wire before SRTP and the extension.
func (p *packet) size() int { return p.hdr.MarshalSize() + len(p.payload) }

// packetizer splits encoded frames into RTP packets (RFC 3550 §5.1): VP8
// with a 15-bit PictureID (RFC 7741 §4.2), H.264 in packetization mode 1
// with SPS and PPS in a STAP-A (RFC 6184 §5.7.1, §5.8). It is used by the
// frame loop's goroutine only.
type packetizer struct {
	payloader rtp.Payloader
	pt        uint8
	ssrc      uint32
	seq       uint16
	tsBase    uint32 // random start of the RTP timestamp (RFC 3550 §5.1)
}

func newPacketizer(mime string, pt uint8, ssrc uint32, seq uint16, tsBase uint32) *packetizer {
	var pl rtp.Payloader = &codecs.H264Payloader{}
	if mime == transcoder.VP8 {
		pl = &codecs.VP8Payloader{EnablePictureID: true}
	}
	return &packetizer{payloader: pl, pt: pt, ssrc: ssrc, seq: seq, tsBase: tsBase}
}

// packetize returns the packets of f, taken at pts in the 90 kHz clock, each payload at most maxPayload bytes and
// the marker bit on the last (RFC 7741 §4.1, RFC 6184 §5.1). The payloads
// are new slices: f's data may be reused.
func (p *packetizer) packetize(f transcoder.EncodedFrame, pts uint32) []packet {
	if len(f.Data) == 0 {
		return nil
	}
	payloads := p.payloader.Payload(maxPayload, f.Data)
	out := make([]packet, len(payloads))
	for i, pl := range payloads {
		out[i] = packet{
			hdr: rtp.Header{
				Version: 2, PayloadType: p.pt, SequenceNumber: p.seq,
				Timestamp: p.rtpTime(pts), SSRC: p.ssrc, Marker: i == len(payloads)-1,
			},
			payload: pl,
		}
		p.seq++
	}
	return out
}

// rtpTime is the RTP timestamp of pts (RFC 3550 §5.1); sender reports
// use it too (RFC 3550 §6.4.1).
func (p *packetizer) rtpTime(pts uint32) uint32 { return p.tsBase + pts }
