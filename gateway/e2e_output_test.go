package gateway

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// outputTestKey is the [stream.output.srtp] key of the SRTP tests: 30 bytes,
// AES_CM_128_HMAC_SHA1_80's master key and salt.
var outputTestKey = []byte("output-test-master-key-salt-30")

// TestOutputToGStreamer sends the in-process test pattern (VP8) through
// [stream.output] to a GStreamer receiver on loopback, as plain RTP and as
// SRTP, and counts the pictures GStreamer decodes.
func TestOutputToGStreamer(t *testing.T) {
	needTranscoding(t)
	for _, tc := range []struct {
		name string
		key  []byte
	}{{"rtp", nil}, {"srtp", outputTestKey}} {
		t.Run(tc.name, func(t *testing.T) {
			port := freePort(t, "udp")
			table := fmt.Sprintf(`
[[stream]]
name = "out"
source = "testpattern"
  [stream.video]
  codec = "vp8"
  [stream.output]
  address = "127.0.0.1:%d"
`, port)
			if tc.key != nil {
				table += fmt.Sprintf("    [stream.output.srtp]\n    key = %q\n", base64.StdEncoding.EncodeToString(tc.key))
			}
			gw := startGateway(t, testConfig(t, table))
			o := gw.Output("out")
			if o == nil {
				t.Fatal("no output running for stream out")
			}
			rx := startPeer(t, "gst-launch-1.0", gstReceiveVP8(port, tc.key, o.SSRC(stream.Video))...)
			const want = 60
			got := waitDecoded(t, rx, gw.Hub().Get("out"), want, 40*time.Second)
			t.Logf("GStreamer decoded %d pictures of 1280x720", got)
			sent := metricValue(t, gw.Gateway, "mediagate_output_packets_total", map[string]string{"stream": "out"})
			if sent < want {
				t.Errorf("mediagate_output_packets_total = %v, want at least %d", sent, want)
			}
		})
	}
}

// gstReceiveVP8 is a gst-launch pipeline that receives VP8 on port,
// through srtpdec when key is set (it must be told the SSRC), decodes it
// and prints a line per picture.
func gstReceiveVP8(port int, key []byte, ssrc uint32) []string {
	caps := "application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96"
	var srtp []string
	if key != nil {
		caps = fmt.Sprintf("application/x-srtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96,"+
			"ssrc=(uint)%d,srtp-key=(buffer)%s,srtp-cipher=(string)aes-128-icm,srtp-auth=(string)hmac-sha1-80,"+
			"srtcp-cipher=(string)aes-128-icm,srtcp-auth=(string)hmac-sha1-80", ssrc, hex.EncodeToString(key))
		// The output's SRTCP Sender Reports come out of rtcp_src.
		srtp = []string{"!", "srtpdec", "name=dec", "dec.rtcp_src", "!", "fakesink", "async=false", "dec.rtp_src"}
	}
	args := []string{"-v", "udpsrc", "address=127.0.0.1", fmt.Sprintf("port=%d", port), "caps=" + caps}
	args = append(args, srtp...)
	return append(args, "!", "rtpvp8depay", "!", "vp8dec", "!", "fakesink", "name=pictures", "silent=false", "sync=false")
}

// decodedPictures counts the 1280x720 I420 pictures fakesink reported.
func decodedPictures(out string) int {
	n := 0
	for line := range strings.Lines(out) {
		if strings.Contains(line, "chain   ******* (pictures:sink)") && strings.Contains(line, "(1382400 bytes") {
			n++
		}
	}
	return n
}

// waitDecoded waits until the receiver decoded want pictures. Until the
// first, it asks the stream for a keyframe every half second, as a
// receiver's PLI would: the receiver started after the output.
func waitDecoded(t *testing.T, rx *peer, st *stream.Stream, want int, timeout time.Duration) int {
	t.Helper()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for {
		n := decodedPictures(rx.out.String())
		if n >= want {
			return n
		}
		if n == 0 {
			st.RequestKeyframe()
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("GStreamer decoded %d pictures in %v, want %d", n, timeout, want)
		}
	}
}

// TestOutputFollowsSourceAndReload feeds a stream from an RTP sender that
// restarts, and checks at the receiver that the output's numbering runs on;
// then reloads the config to move the output to another receiver and to
// remove it, and checks each receiver gets a BYE and nothing after it.
func TestOutputFollowsSourceAndReload(t *testing.T) {
	a, b := listenUDP(t), listenUDP(t)
	ingestPort := freePort(t, "udp")
	cfg := testConfig(t, fmt.Sprintf(`
[[stream]]
name = "fwd"
listen = "127.0.0.1:%d"
relatch_after = "200ms"
  [stream.video]
  codec = "vp8"
  payload_type = 97
  [stream.output]
  address = %q
`, ingestPort, a.LocalAddr().String()))
	gw := startGateway(t, cfg)
	cam := &vp8Sender{t: t, to: fmt.Sprintf("127.0.0.1:%d", ingestPort), ssrc: 0x1234, seq: 100}
	first := cam.sendUntilOutput(a)
	if first.PayloadType != 97 || first.SSRC == 0x1234 {
		t.Fatalf("first packet %v: want PT 97 and the output's own SSRC", first.Header)
	}
	// The camera restarts: silent for longer than relatch_after, then a new
	// SSRC and sequence.
	time.Sleep(400 * time.Millisecond)
	cam.ssrc, cam.seq = 0x5678, 40000
	cam.send(40)
	last := lastOutputRTP(t, a)
	if last.SSRC != first.SSRC {
		t.Errorf("SSRC changed from %x to %x across the camera restart", first.SSRC, last.SSRC)
	}
	// 40 packets after the restart, and at most 9 of the first ones after
	// the first read (its chunk, and the one before if it was late): a
	// sequence that restarted with the camera's would jump by thousands.
	if d := last.SequenceNumber - first.SequenceNumber; d < 30 || d > 49 {
		t.Errorf("sequence advanced by %d over 40 to 49 packets sent: not continuous", d)
	}

	moved := cloneConfig(cfg)
	moved.Streams[0].Output = &config.Output{Address: b.LocalAddr().String()}
	if err := gw.Reload(moved); err != nil {
		t.Fatal(err)
	}
	waitBye(t, a)
	cam.sendUntilOutput(b)

	if err := gw.Reload(cloneConfig(cfg, func(sc *config.Stream) { sc.Output = nil })); err != nil {
		t.Fatal(err)
	}
	waitBye(t, b)
	if gw.Output("fwd") != nil {
		t.Error("output still running after its table was removed")
	}
}

// vp8Sender pushes VP8 packets, each a key frame, to the gateway.
type vp8Sender struct {
	t    *testing.T
	to   string
	ssrc uint32
	seq  uint16
	ts   uint32
	conn net.Conn
}

func (s *vp8Sender) send(n int) {
	s.t.Helper()
	if s.conn == nil {
		c, err := net.Dial("udp4", s.to)
		if err != nil {
			s.t.Fatal(err)
		}
		s.t.Cleanup(func() { _ = c.Close() })
		s.conn = c
	}
	for range n {
		s.seq++
		s.ts += 3000
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 97, SequenceNumber: s.seq,
			Timestamp: s.ts, SSRC: s.ssrc, Marker: true}, Payload: []byte{0x10, 0x00, 0x9d, 0x01, 0x2a, 1, 2, 3}}
		b, err := p.Marshal()
		if err != nil {
			s.t.Fatal(err)
		}
		if _, err := s.conn.Write(b); err != nil {
			s.t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // a camera's pace, not a burst
	}
}

// sendUntilOutput sends packets five at a time until an RTP packet
// arrives at out, and returns that packet: the output subscribes on its
// own goroutine, which may start after the first packets went by.
func (s *vp8Sender) sendUntilOutput(out *net.UDPConn) *rtp.Packet {
	s.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		s.send(5)
		if p := nextOutputRTP(s.t, out, 50*time.Millisecond); p != nil {
			return p
		}
	}
	s.t.Fatalf("no RTP at %s within 10 s of sending", out.LocalAddr())
	return nil
}

func listenUDP(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// readOutputDatagram returns the next datagram c receives, within 10 s.
func readOutputDatagram(t *testing.T, c *net.UDPConn) []byte {
	t.Helper()
	buf := make([]byte, 2048)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("receiver %s: %v", c.LocalAddr(), err)
	}
	return buf[:n]
}

// nextOutputRTP returns the next RTP packet c receives within the time
// given, skipping RTCP, or nil.
func nextOutputRTP(t *testing.T, c *net.UDPConn, within time.Duration) *rtp.Packet {
	t.Helper()
	buf := make([]byte, 2048)
	_ = c.SetReadDeadline(time.Now().Add(within))
	for {
		n, err := c.Read(buf)
		if err != nil {
			return nil
		}
		if buf[1] >= 192 && buf[1] <= 223 {
			continue
		}
		p := &rtp.Packet{}
		if err := p.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// readOutputRTP returns the next RTP packet c receives, skipping RTCP,
// within 10 s.
func readOutputRTP(t *testing.T, c *net.UDPConn) *rtp.Packet {
	t.Helper()
	p := nextOutputRTP(t, c, 10*time.Second)
	if p == nil {
		t.Fatalf("receiver %s: no RTP within 10 s", c.LocalAddr())
	}
	return p
}

// lastOutputRTP reads RTP packets until none arrives for 300 ms and
// returns the last.
func lastOutputRTP(t *testing.T, c *net.UDPConn) *rtp.Packet {
	t.Helper()
	last := nextOutputRTP(t, c, 300*time.Millisecond)
	if last == nil {
		t.Fatal("no packet after the camera restart")
	}
	for p := last; p != nil; p = nextOutputRTP(t, c, 300*time.Millisecond) {
		last = p
	}
	return last
}

// waitBye reads c until an RTCP BYE arrives, within 10 s.
func waitBye(t *testing.T, c *net.UDPConn) {
	t.Helper()
	for {
		b := readOutputDatagram(t, c)
		if b[1] < 192 || b[1] > 223 {
			continue
		}
		pkts, err := rtcp.Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			if _, ok := p.(*rtcp.Goodbye); ok {
				return
			}
		}
	}
}

// cloneConfig copies cfg deeply enough for a reload: its own stream list,
// each stream edited by the edits.
func cloneConfig(cfg *config.Config, edits ...func(*config.Stream)) *config.Config {
	next := *cfg
	next.Streams = append([]config.Stream(nil), cfg.Streams...)
	for i := range next.Streams {
		for _, edit := range edits {
			edit(&next.Streams[i])
		}
	}
	return &next
}
