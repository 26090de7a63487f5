package gateway

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mediagate.dev/mediagate/gateway/config"
)

// rembBrowserChildEnv marks the copy of the test binary that runs the
// gateway and the test sender inside the namespace of
// TestBrowserREMBOverCappedLink.
const rembBrowserChildEnv = "MEDIAGATE_REMB_BROWSER_CHILD"

// The namespace side of the veth pair carries the gateway; the host side
// carries chromium, whose DevTools port listens only on its own loopback.
const (
	rbHostAddr, rbGatewayAddr = "10.79.0.1", "10.79.0.2"
	rbGatewayIf               = "vgw0"
	rbHTTPPort, rbICEPort     = 8080, 8189
	rbIngestPort              = 5004
	rbLinePrefix              = "MGREMB "
)

// TestBrowserREMBOverCappedLink is REMB from browsers end to end. The
// gateway and the REMB-following test sender (tools/testsender, VP8 at up
// to 6 Mbit/s) run inside a namespace the test makes; headless chromium
// stays outside and watches over a veth pair whose gateway side the test
// caps with tc tbf.
//
//  1. A tab that asks for H.264 watches the VP8 camera through a transcoded
//     rendition. When the link toward chromium is cut to 1 Mbit/s, the
//     shared encoder's bitrate follows Chrome's REMB below 1.1 Mbit/s within
//     3 s.
//  2. A tab that takes VP8 watches the same camera through passthrough,
//     behind the same cap: its REMB becomes the viewers' demand, and the
//     REMB the gateway sends upstream to the test sender falls below
//     1.1 Mbit/s.
func TestBrowserREMBOverCappedLink(t *testing.T) {
	if os.Getenv(rembBrowserChildEnv) != "" {
		rembBrowserChild(t)
		return
	}
	if testing.Short() {
		t.Skip("network-namespace browser test: run without -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace (CI runs the suite as root)")
	}
	needTranscoding(t)
	sender := buildTestSender(t)
	ns := newVethNamespace(t, "mgrb", rbHostAddr, rbGatewayAddr, rbGatewayIf)
	child := startNamespaceChild(t, ns, "^TestBrowserREMBOverCappedLink$", rembBrowserChildEnv, sender)
	base := fmt.Sprintf("http://%s:%d", rbGatewayAddr, rbHTTPPort)

	browser := newBrowser(t)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	// 1. The transcoded rendition's encoder follows Chrome's REMB.
	h264 := openTab(t, browser, base+"/view/cam?codec=h264", "h264 tab")
	st := waitFrames(h264.ctx, t, 30, 60*time.Second)
	t.Logf("transcoded tab plays: %+v", st)
	encoder := func() float64 { return child.gauge("encoder") }
	waitUntil(t, 30*time.Second, "the encoder above 1.3 Mbit/s before the cut", func() bool { return encoder() > 1.3e6 })
	cut := time.Now()
	tcLink(t, ns, rbGatewayIf, "1mbit")
	var series []string
	followed := waitForSeries(t, 10*time.Second, &series, cut, func() (float64, bool) {
		v := encoder()
		return v, v < 1.1e6
	})
	t.Logf("encoder bitrate after the cut to 1 Mbit/s:\n%s", strings.Join(series, "\n"))
	if followed < 0 || followed > 3*time.Second {
		t.Errorf("the shared encoder fell below 1.1 Mbit/s %v after the cut; want within 3 s", followed.Round(10*time.Millisecond))
	}
	h264.leave(t)

	// 2. A passthrough viewer behind the same cap sets the REMB upstream.
	child.resetREMB()
	opened := time.Now()
	vp8 := openTab(t, browser, base+"/view/cam?codec=vp8", "vp8 tab")
	series = nil
	followed = waitForSeries(t, 30*time.Second, &series, opened, func() (float64, bool) {
		v := child.lastREMB()
		return v, v > 0 && v < 1.1e6
	})
	t.Logf("REMB to the test sender after a passthrough viewer joined behind 1 Mbit/s:\n%s", strings.Join(series, "\n"))
	if followed < 0 {
		t.Fatal("the REMB sent upstream never fell below 1.1 Mbit/s")
	}
	t.Logf("REMB upstream below 1.1 Mbit/s %v after the passthrough tab opened", followed.Round(10*time.Millisecond))
	stopLog := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopLog:
				return
			case <-time.After(time.Second):
				c := child.snapshot()
				t.Logf("passthrough: %v", c)
			}
		}
	}()
	waitFrames(vp8.ctx, t, 30, 30*time.Second)
	close(stopLog)
	demand := child.gauge("demand")
	if demand <= 0 || demand > 1.1e6 {
		t.Errorf("viewers' passthrough demand %v, want within (0, 1.1 Mbit/s]", demand)
	}
}

// rembBrowserChild runs inside the namespace: a gateway on the namespace's
// veth address and the test sender on its loopback, until the parent closes
// stdin.
func rembBrowserChild(t *testing.T) {
	cfg := netnsGatewayConfig(t, rbGatewayAddr, rbGatewayIf, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 96
  [stream.transcode]
  bitrate = 2500
  min_bitrate = 150
  max_bitrate = 4000
  [stream.remb]
  min_bitrate = 100
  max_bitrate = 6000
  start_bitrate = 3000
  abs_send_time_id = 3
`, rbIngestPort))
	gw := startGateway(t, cfg)
	stop := make(chan struct{})
	defer close(stop)
	go reportGauges(t, gw.Gateway, stop, map[string]func() float64{
		"encoder": func() float64 {
			return metricValue(t, gw.Gateway, "mediagate_transcoder_bitrate_bps",
				map[string]string{"stream": "cam", "from": "vp8", "to": "h264"})
		},
		"demand": func() float64 {
			return metricValue(t, gw.Gateway, "mediagate_remb_viewers_bitrate_bps",
				map[string]string{"stream": "cam", "rendition": "passthrough"})
		},
		"sent": func() float64 {
			return metricValue(t, gw.Gateway, "mediagate_egress_packets_sent_total", map[string]string{"stream": "cam"})
		},
		"pli": func() float64 {
			return metricValue(t, gw.Gateway, "mediagate_egress_rtcp_received_total", map[string]string{"stream": "cam", "type": "pli"})
		},
		"nack": func() float64 {
			return metricValue(t, gw.Gateway, "mediagate_egress_rtcp_received_total", map[string]string{"stream": "cam", "type": "nack"})
		},
		"retransmits": func() float64 {
			return metricValue(t, gw.Gateway, "mediagate_egress_nack_retransmits_total", map[string]string{"stream": "cam"})
		},
		"queue_dropped": func() float64 {
			return metricValue(t, gw.Gateway, "mediagate_egress_queue_dropped_total", map[string]string{"stream": "cam"})
		},
		"thinned": func() float64 {
			return metricValue(t, gw.Gateway, "mediagate_egress_thinned_packets_total", map[string]string{"stream": "cam"})
		},
	})
	runChildSender(t, os.Getenv(rembBrowserChildEnv), fmt.Sprintf("127.0.0.1:%d", rbIngestPort),
		"-codec", "vp8", "-width", "320", "-height", "240", "-start", "3000", "-min", "100", "-max", "6000",
		"-abs-send-time-id", "3")
}

// netnsGatewayConfig is testConfig for a gateway whose HTTP and ICE live on
// addr, interface ifname, inside a test namespace.
func netnsGatewayConfig(t *testing.T, addr, ifname, streams string) *config.Config {
	t.Helper()
	text := fmt.Sprintf(`
[log]
level = "info"
[http]
listen = "%s:%d"
admin_token = %q
[webrtc]
udp_port = %d
tcp_port = 0
interfaces = [%q]
setup_timeout = "20s"
`, addr, rbHTTPPort, testAdminToken, rbICEPort, ifname) + streams
	cfg, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatalf("test config: %v\n%s", err, text)
	}
	return cfg
}

// runChildSender runs the test sender at path toward to with args, prints
// each of its -stats lines prefixed for the parent, says ready, and returns
// when stdin closes, after stopping the sender.
func runChildSender(t *testing.T, path, to string, args ...string) {
	t.Helper()
	cmd := exec.Command(path, append([]string{"-to", to, "-stats"}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the test sender: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintf(os.Stdout, "%s%s\n", rbLinePrefix, sc.Text())
		}
	}()
	fmt.Fprintf(os.Stdout, "%sready\n", rbLinePrefix)
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = cmd.Process.Signal(os.Interrupt)
	<-done
	_ = cmd.Wait()
}

// reportGauges prints the gateway's gauges for the parent every 100 ms, as
// "gauges {json}" lines, until stop closes: read inside the namespace, they
// do not queue behind the capped link.
func reportGauges(t *testing.T, g *Gateway, stop <-chan struct{}, gauges map[string]func() float64) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		values := make(map[string]float64, len(gauges))
		for name, read := range gauges {
			values[name] = read()
		}
		line, _ := json.Marshal(values)
		fmt.Fprintf(os.Stdout, "%sgauges %s\n", rbLinePrefix, line)
	}
}

// namespaceChild is the parent's view of the child process: the test
// sender's stats lines as they arrive.
type namespaceChild struct {
	mu     sync.Mutex
	remb   float64            // the newest REMB the sender reported
	sent   float64            // the sender's measured rate
	target float64            // the sender's encoder target
	gauges map[string]float64 // the gateway's newest gauges (reportGauges)
}

func (c *namespaceChild) snapshot() map[string]float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]float64{"remb": c.remb, "sender_sent": c.sent, "sender_target": c.target}
	for k, v := range c.gauges {
		out[k] = v
	}
	return out
}

func (c *namespaceChild) gauge(name string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gauges[name]
}

func (c *namespaceChild) lastREMB() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remb
}

func (c *namespaceChild) resetREMB() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remb = 0
}

// startNamespaceChild re-runs the test binary's test run inside ns with
// env=arg, waits for it to say ready, and stops it (closing its stdin, so
// it stops its sender first) before the namespace goes.
func startNamespaceChild(t *testing.T, ns, run, env, arg string) *namespaceChild {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run="+run, "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+arg)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var log lockedBuffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the namespace child: %v", err)
	}
	c := &namespaceChild{}
	ready := make(chan struct{})
	go c.read(stdout, &log, ready)
	t.Cleanup(func() {
		_ = stdin.Close()
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		select {
		case <-waited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-waited
		}
		if t.Failed() {
			t.Logf("namespace child output:\n%s", log.String())
		}
	})
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("the namespace child did not get ready:\n%s", log.String())
	}
	return c
}

// read follows the child's stdout: stats lines update the REMB; the rest
// goes to log.
func (c *namespaceChild) read(r io.Reader, log *lockedBuffer, ready chan struct{}) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, rbLinePrefix)
		switch {
		case !ok:
			_, _ = log.Write([]byte(line + "\n"))
		case rest == "ready":
			close(ready)
		case strings.HasPrefix(rest, "gauges "):
			var g map[string]float64
			if json.Unmarshal([]byte(strings.TrimPrefix(rest, "gauges ")), &g) == nil {
				c.mu.Lock()
				c.gauges = g
				c.mu.Unlock()
			}
		default:
			var s struct {
				REMB   float64 `json:"remb"`
				Sent   float64 `json:"sent"`
				Target float64 `json:"target"`
			}
			if json.Unmarshal([]byte(rest), &s) == nil && s.REMB > 0 {
				c.mu.Lock()
				c.remb, c.sent, c.target = s.REMB, s.Sent, s.Target
				c.mu.Unlock()
			}
		}
	}
}

// newVethNamespace creates a namespace joined to this one by a veth pair:
// host on this side, peer (named ifname) inside. Both go when the test ends.
func newVethNamespace(t *testing.T, prefix, host, peer, ifname string) string {
	t.Helper()
	ns := fmt.Sprintf("%s%d", prefix, os.Getpid())
	hostIf := fmt.Sprintf("%sh%d", prefix, os.Getpid()%100000)
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	run("link", "add", hostIf, "type", "veth", "peer", "name", ifname, "netns", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", hostIf).Run() })
	run("addr", "add", host+"/24", "dev", hostIf)
	run("link", "set", hostIf, "up")
	run("-n", ns, "addr", "add", peer+"/24", "dev", ifname)
	run("-n", ns, "link", "set", ifname, "up")
	run("-n", ns, "link", "set", "lo", "up")
	return ns
}

// tcLink caps the egress of ifname inside ns at rate with a token bucket
// (tbf): a 100 ms queue, so congestion shows as delay before loss.
func tcLink(t *testing.T, ns, ifname, rate string) {
	t.Helper()
	out, err := exec.Command("tc", "-n", ns, "qdisc", "replace", "dev", ifname, "root",
		"tbf", "rate", rate, "burst", "16kb", "latency", "100ms").CombinedOutput()
	if err != nil {
		t.Fatalf("tc tbf %s: %v\n%s", rate, err, out)
	}
}

// buildTestSender builds tools/testsender into the test's directory.
func buildTestSender(t *testing.T) string {
	t.Helper()
	path := t.TempDir() + "/testsender"
	out, err := exec.Command("go", "build", "-o", path, "mediagate.dev/mediagate/tools/testsender").CombinedOutput()
	if err != nil {
		t.Fatalf("build tools/testsender: %v\n%s", err, out)
	}
	return path
}

// waitForSeries samples read every 100 ms, recording "t value" lines in
// series, until it reports done; it returns the time since from when it
// did, or -1 after timeout.
func waitForSeries(t *testing.T, timeout time.Duration, series *[]string, from time.Time, read func() (float64, bool)) time.Duration {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		v, done := read()
		at := time.Since(from)
		*series = append(*series, fmt.Sprintf("  t=%5.1fs %7.0f kbit/s", at.Seconds(), v/1000))
		if done {
			return at
		}
		time.Sleep(100 * time.Millisecond)
	}
	return -1
}
