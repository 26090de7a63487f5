package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// h265Table is a [stream.video] table for H.265 under payload type 98.
const h265Table = `  [stream.video]
  codec = "h265"
  payload_type = 98
`

// TestH265KeyframeRequestReachesSender: a pion viewer offering H.265
// plays an H.265 camera (the test's own sender) passed through; its PLI
// reaches the camera as a PLI from the gateway.
func TestH265KeyframeRequestReachesSender(t *testing.T) {
	port := freePort(t, "udp")
	gw := startGateway(t, testConfig(t, fmt.Sprintf("[[stream]]\nname = \"cam\"\nlisten = \"127.0.0.1:%d\"\n%s", port, h265Table)))
	viewer := dialWHEPOnly(t, gw.URL, "cam", offerH265)
	waitConnected(t, viewer.pc)
	payloads, markers := payloadsFor("h265", 30)
	sender := newRTPSender(t, port, 98)
	for i, p := range payloads {
		sender.send(t, p, markers[i], 3000)
	}
	viewer.waitPayloads(t, "video", len(payloads), 10*time.Second)
	if got := viewer.codec("video"); got != webrtc.MimeTypeH265 {
		t.Fatalf("viewer codec %s, want H265 passed through", got)
	}
	// Drain what the viewer's start asked for; then only its PLI asks.
	time.Sleep(1200 * time.Millisecond)
	drainRTCP(sender)
	var ssrc uint32
	for _, r := range viewer.pc.GetReceivers() {
		if tr := r.Track(); tr != nil {
			ssrc = uint32(tr.SSRC())
		}
	}
	if err := viewer.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}); err != nil {
		t.Fatal(err)
	}
	if !waitPLI(sender, sender.ssrc, 3*time.Second) {
		t.Fatal("the viewer's PLI did not reach the camera")
	}
}

// drainRTCP reads what the gateway sent back to a sender until it is quiet.
func drainRTCP(s *rtpSender) {
	buf := make([]byte, 1500)
	for {
		_ = s.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := s.conn.Read(buf); err != nil {
			return
		}
	}
}

// waitPLI reports whether a PLI for ssrc reaches the sender's socket.
func waitPLI(s *rtpSender, ssrc uint32, timeout time.Duration) bool {
	buf := make([]byte, 1500)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		_ = s.conn.SetReadDeadline(deadline)
		n, err := s.conn.Read(buf)
		if err != nil {
			return false
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, p := range pkts {
			if pli, ok := p.(*rtcp.PictureLossIndication); ok && pli.MediaSSRC == ssrc {
				return true
			}
		}
	}
	return false
}

// TestWHIPH265ToOutput: a WHIP publisher sending H.265 (as a browser with
// an H.265 encoder does) is carried unchanged to the stream's RTP output.
func TestWHIPH265ToOutput(t *testing.T) {
	recv := listenUDP(t)
	gw := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "live"
source = "whip"
publish_token = %q
%s  [stream.output]
  address = %q
`, testPublishToken, h265Table, recv.LocalAddr().String())))
	pub := publishWHIPWith(t, gw.URL, "live", testPublishToken, offerH265)
	video, markers := payloadsFor("h265", 60)
	pub.send(t, "video", video, markers, 3000) // the receiver's socket buffer holds them
	var got [][]byte
	for len(got) < len(video) {
		if p := readOutputRTP(t, recv); p.PayloadType == 98 {
			got = append(got, p.Payload)
		}
	}
	for i := range video {
		if !bytes.Equal(got[i], video[i]) {
			t.Fatalf("output payload %d differs: % x…, want % x…", i, head(got[i]), head(video[i]))
		}
	}
}

// TestH265DONLRefused: an H.265 offer with sprop-max-don-diff > 0 (DONL
// reordering, which mediagate does not do) gets 422 with the reason.
func TestH265DONLRefused(t *testing.T) {
	gw := startGateway(t, senderConfig(t, ""))
	offer := "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=cam\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\na=fmtp:96 sprop-max-don-diff=2\r\n"
	r := callAPI(t, http.MethodPost, gw.URL+"/api/v1/streams", "application/sdp", offer)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "sprop-max-don-diff=2") {
		t.Fatalf("POST a DONL offer: %d %s; want 422 naming sprop-max-don-diff", r.status, r.body)
	}
}
