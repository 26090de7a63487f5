package gateway

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// rtpSender is the test's own camera: it sends prepared RTP packets to a
// stream's port from one UDP socket, as a symmetric-RTP camera does.
type rtpSender struct {
	conn *net.UDPConn
	ssrc uint32
	seq  uint16
	ts   uint32
	pt   uint8
}

func newRTPSender(t testing.TB, port int, pt uint8) *rtpSender {
	t.Helper()
	conn, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rtpSender{conn: conn, ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32(), pt: pt}
}

// send writes one packet with payload; marker ends a frame, and advance moves
// the timestamp on after it.
func (s *rtpSender) send(t testing.TB, payload []byte, marker bool, advance uint32) {
	t.Helper()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: s.pt, SequenceNumber: s.seq,
		Timestamp: s.ts, SSRC: s.ssrc, Marker: marker}, Payload: payload}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.conn.Write(b); err != nil {
		t.Fatal(err)
	}
	s.seq++
	s.ts += advance
}

// payloadsFor builds n payloads of a codec whose first one starts a keyframe.
func payloadsFor(codec string, n int) (payloads [][]byte, markers []bool) {
	r := rand.New(rand.NewPCG(1, uint64(len(codec))))
	body := func(size int) []byte {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	for i := range n {
		var p []byte
		switch codec {
		case "h264":
			switch {
			case i == 0: // STAP-A: SPS + PPS
				p = []byte{0x78, 0x00, 0x08, 0x67, 0x42, 0xc0, 0x1e, 0xda, 0x05, 0x05, 0xe8, 0x00, 0x02, 0x68, 0xce}
			case i == 1: // single-NAL IDR slice
				p = append([]byte{0x65}, body(900)...)
			case i%3 == 2: // FU-A start of a non-IDR slice
				p = append([]byte{0x7c, 0x81}, body(1000)...)
			case i%3 == 0: // FU-A end
				p = append([]byte{0x7c, 0x41}, body(500)...)
			default: // single-NAL non-IDR slice
				p = append([]byte{0x41}, body(300)...)
			}
		case "h265": // RFC 7798 §4.4, as payloadsFor("h264") but with 2-byte headers
			switch {
			case i == 0: // aggregation packet: VPS, SPS, PPS
				p = []byte{0x60, 0x01, 0x00, 0x03, 0x40, 0x01, 0x0c, 0x00, 0x03, 0x42, 0x01, 0x01, 0x00, 0x03, 0x44, 0x01, 0xc1}
			case i == 1: // single-NAL IDR_W_RADL slice
				p = append([]byte{0x26, 0x01}, body(900)...)
			case i%3 == 2: // fragmentation unit start of a TRAIL_R slice
				p = append([]byte{0x62, 0x01, 0x81}, body(1000)...)
			case i%3 == 0: // fragmentation unit end
				p = append([]byte{0x62, 0x01, 0x41}, body(500)...)
			default: // single-NAL TRAIL_R slice
				p = append([]byte{0x02, 0x01}, body(300)...)
			}
		case "vp8":
			if i == 0 {
				p = append([]byte{0x10, 0x50}, body(1000)...) // S=1, key frame (P=0)
			} else {
				p = append([]byte{0x10, 0x51}, body(400)...) // S=1, inter frame
			}
		case "opus":
			p = body(80 + r.IntN(80))
		}
		payloads = append(payloads, p)
		markers = append(markers, codec == "opus" || codec == "vp8" || i%3 != 2)
	}
	return payloads, markers
}

// TestWHEPPassthroughIsByteIdentical sends known payloads into a configured
// stream and checks that a WHEP viewer receives exactly those bytes, in order,
// for H.264, H.265, VP8 and Opus.
func TestWHEPPassthroughIsByteIdentical(t *testing.T) {
	cases := []struct {
		codec, mime, table string
		kind               webrtc.RTPCodecType
		pt                 uint8
		clock              uint32
	}{
		{"h264", "video/H264", `[stream.video]
  codec = "h264"
  payload_type = 96`, webrtc.RTPCodecTypeVideo, 96, 3000},
		{"h265", "video/H265", `[stream.video]
  codec = "h265"
  payload_type = 98`, webrtc.RTPCodecTypeVideo, 98, 3000},
		{"vp8", "video/VP8", `[stream.video]
  codec = "vp8"
  payload_type = 97`, webrtc.RTPCodecTypeVideo, 97, 3000},
		{"opus", "audio/opus", `[stream.audio]
  codec = "opus"
  payload_type = 111`, webrtc.RTPCodecTypeAudio, 111, 960},
	}
	for _, c := range cases {
		t.Run(c.codec, func(t *testing.T) {
			port := freePort(t, "udp")
			gw := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  %s
`, port, c.table)))
			viewer := dialWHEP(t, gw.URL, "cam", "", c.kind)
			waitConnected(t, viewer.pc)

			payloads, markers := payloadsFor(c.codec, 120)
			sender := newRTPSender(t, port, c.pt)
			for i, p := range payloads {
				sender.send(t, p, markers[i], c.clock)
				time.Sleep(2 * time.Millisecond)
			}
			kind := c.kind.String()
			got := viewer.waitPayloads(t, kind, len(payloads), 10*time.Second)
			if mime := viewer.codec(kind); !strings.EqualFold(mime, c.mime) {
				t.Errorf("negotiated %q, want %q", mime, c.mime)
			}
			for i := range payloads {
				if !bytes.Equal(got[i], payloads[i]) {
					t.Fatalf("payload %d differs: got % x…, want % x…", i, head(got[i]), head(payloads[i]))
				}
			}
		})
	}
}

func head(b []byte) []byte {
	if len(b) > 8 {
		return b[:8]
	}
	return b
}

// waitConnected waits until pc's ICE and DTLS are up.
func waitConnected(t testing.TB, pc *webrtc.PeerConnection) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for pc.ConnectionState() != webrtc.PeerConnectionStateConnected {
		if time.Now().After(deadline) {
			t.Fatalf("peer connection %s after 10s", pc.ConnectionState())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
