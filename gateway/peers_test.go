package gateway

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"sync"
	"syscall"
	"testing"

	"mediagate.dev/mediagate/gateway/config"
)

// This file holds what the end-to-end tests share: free loopback ports, a
// gateway running on a config written by the test, and third-party peers
// (GStreamer, ffmpeg) run as child processes that die with the test.

// freePort returns a loopback port that was free a moment ago on network
// ("udp" or "tcp").
func freePort(t testing.TB, network string) int {
	t.Helper()
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	default:
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
}

const testAdminToken = "test-admin-token-0123456789"

// testConfig returns a config on loopback ports with the given [[stream]]
// tables appended (TOML text).
func testConfig(t testing.TB, streams string) *config.Config {
	t.Helper()
	text := fmt.Sprintf(`
[log]
level = "debug"

[http]
listen = "127.0.0.1:%d"
admin_token = %q

[webrtc]
udp_port = %d
tcp_port = 0
interfaces = ["lo"]
include_loopback = true
setup_timeout = "10s"
`, freePort(t, "tcp"), testAdminToken, freePort(t, "udp")) + streams
	cfg, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatalf("test config: %v\n%s", err, text)
	}
	return cfg
}

// runningGateway is a gateway serving in the background for one test.
type runningGateway struct {
	*Gateway
	URL string
}

func startGateway(t testing.TB, cfg *config.Config) *runningGateway {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	gw, err := New(cfg, log)
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	return &runningGateway{Gateway: gw, URL: runGateway(t, gw)}
}

// testWriter sends log output to t.Log while the test runs.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// peer is a third-party process (GStreamer, ffmpeg) started by a test.
type peer struct {
	cmd *exec.Cmd
	out *lockedBuffer
}

// startPeer runs name with args in its own process group and kills the group
// when the test ends, before anything it sends to is torn down.
func startPeer(t testing.TB, name string, args ...string) *peer {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required (make test installs it): %v", name, err)
	}
	p := &peer{cmd: exec.Command(path, args...), out: &lockedBuffer{}}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.out.String())
		}
	})
	return p
}

func (p *peer) stop() {
	if p.cmd.Process == nil || p.cmd.ProcessState != nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	_ = p.cmd.Wait()
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gstH264 returns a gst-launch pipeline pushing constrained-baseline H.264 at
// width×height to port, through srtpenc when srtpKeyHex is set
// (AES_CM_128_HMAC_SHA1_80).
func gstH264(port, width, height int, srtpKeyHex string) []string {
	args := []string{"-q", "videotestsrc", "is-live=true", "pattern=ball",
		"!", fmt.Sprintf("video/x-raw,width=%d,height=%d,framerate=30/1", width, height),
		"!", "videoconvert",
		"!", "x264enc", "tune=zerolatency", "speed-preset=ultrafast", "bitrate=1000", "key-int-max=30",
		"!", "video/x-h264,profile=constrained-baseline",
		"!", "rtph264pay", "pt=96", "config-interval=-1", "mtu=1200",
	}
	if srtpKeyHex != "" {
		args = append(args, "!", "application/x-rtp,payload=96,ssrc=(uint)287454020",
			"!", "srtpenc", "key="+srtpKeyHex,
			"rtp-cipher=aes-128-icm", "rtp-auth=hmac-sha1-80",
			"rtcp-cipher=aes-128-icm", "rtcp-auth=hmac-sha1-80")
	}
	return append(args, "!", "udpsink", "host=127.0.0.1", fmt.Sprintf("port=%d", port), "sync=false")
}

// longGOP returns a sender's arguments (gstH264's or ffmpegVP8's) with a
// keyframe every frames pictures instead of every second.
func longGOP(args []string, frames int) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		switch {
		case a == "key-int-max=30":
			out[i] = fmt.Sprintf("key-int-max=%d", frames)
		case a == "-g" && i+1 < len(out):
			out[i+1] = fmt.Sprint(frames)
		}
	}
	return out
}

// ffmpegVP8 returns ffmpeg arguments pushing VP8 at width×height to port over
// plain RTP, RTCP muxed on the same port.
func ffmpegVP8(port, width, height int) []string {
	return []string{"-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=30", width, height),
		"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "800k", "-g", "30",
		"-f", "rtp", "-payload_type", "97",
		fmt.Sprintf("rtp://127.0.0.1:%d?rtcpport=%d&pkt_size=1200", port, port)}
}
