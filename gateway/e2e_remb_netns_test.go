package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// rembChildEnv marks the copy of the test binary that runs the gateway
// inside the gateway-side namespace of TestREMBCutAndRecoverInNamespace.
const rembChildEnv = "MEDIAGATE_REMB_NETNS_CHILD"

// The two namespaces' ends of the veth pair, and the gateway's ingest port.
const (
	rembSenderAddr  = "10.99.7.1"
	rembGatewayAddr = "10.99.7.2"
	rembIngestPort  = 5004
	// rembChildMark prefixes the lines the child writes for the parent.
	rembChildMark = "REMBNETNS "
)

// The link schedule: 4 Mbit/s, cut to 1 Mbit/s, restored to 4 Mbit/s.
const (
	rembHighCap  = 4_000_000
	rembLowCap   = 1_000_000
	rembCutAt    = 10 * time.Second
	rembRestore  = 25 * time.Second
	rembRunUntil = 35 * time.Second
)

// TestREMBCutAndRecoverInNamespace runs the REMB-following test sender
// (tools/testsender) against a real gateway over a veth pair between two
// network namespaces the test creates and removes. A tc tbf qdisc on the
// sender's end caps the link at 4 Mbit/s, cuts it to 1 Mbit/s after 10 s
// and restores it after 15 s more. The REMB reaching the sender must fall
// below 1.1 Mbit/s within 2 s of the cut and regain 3.6 Mbit/s within 5 s
// of the restore, with under 2% loss over the run. The time series is
// logged and plotted to build/plots/remb_cut_recover.png.
func TestREMBCutAndRecoverInNamespace(t *testing.T) {
	if os.Getenv(rembChildEnv) == "1" {
		rembGatewayChild(t)
		return
	}
	if testing.Short() {
		t.Skip("network-namespace test: run without -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces and tc qdiscs (CI runs the suite as root)")
	}
	for _, tool := range []string{"ip", "tc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (iproute2): %v", tool, err)
		}
	}
	dir := t.TempDir()
	senderBin := buildREMBSender(t, dir)
	ns := newREMBNamespaces(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	gw := startREMBGatewayChild(ctx, t, ns.gateway)
	defer gw.stop(t)
	ns.tbf(t, "add", rembHighCap)
	run := startREMBSender(ctx, t, ns.sender, senderBin)
	defer run.stop(t)

	start := run.start
	schedule := []struct {
		at  time.Duration
		cap int
	}{{rembCutAt, rembLowCap}, {rembRestore, rembHighCap}}
	for _, step := range schedule {
		time.Sleep(time.Until(start.Add(step.at)))
		ns.loss.read(t, ns)
		ns.tbf(t, "change", step.cap)
		run.setCap(step.cap)
	}
	time.Sleep(time.Until(start.Add(rembRunUntil)))
	ns.loss.read(t, ns)
	run.stop(t)
	metrics := gw.stop(t)

	checkREMBRun(t, run.series(), ns.loss, metrics)
}

// checkREMBRun logs and plots the series and checks the three thresholds.
func checkREMBRun(t *testing.T, series []rembPoint, loss *rembTBFLoss, metrics map[string]float64) {
	t.Helper()
	for _, p := range series {
		t.Logf("t=%5.1fs cap=%4.1f remb=%5.2f sent=%5.2f Mbit/s", p.T, float64(p.Cap)/1e6, p.REMB/1e6, p.Sent/1e6)
	}
	writeREMBPlot(t, series)
	drop := firstREMB(series, rembCutAt, func(p rembPoint) bool { return p.REMB > 0 && p.REMB < 1_100_000 })
	up := firstREMB(series, rembRestore, func(p rembPoint) bool { return p.REMB >= 0.9*rembHighCap })
	lost := loss.fraction()
	gwLoss := 0.0
	if n := metrics["mediagate_ingest_packets_total"] + metrics["mediagate_ingest_lost_packets_total"]; n > 0 {
		gwLoss = metrics["mediagate_ingest_lost_packets_total"] / n
	}
	t.Logf("REMB below 1.1 Mbit/s %v after the cut; 3.6 Mbit/s %v after the restore; tbf dropped %d of %d packets (%.2f%%); gateway saw %.2f%% lost; follows %v, follow ratio %.2f",
		drop, up, loss.dropped, loss.sent+loss.dropped, 100*lost, 100*gwLoss,
		metrics["mediagate_ingest_sender_follows_remb"], metrics["mediagate_ingest_remb_follow_ratio"])
	if drop < 0 || drop > 2*time.Second {
		t.Errorf("REMB fell below 1.1 Mbit/s %v after the cut, want within 2 s", drop)
	}
	if up < 0 || up > 5*time.Second {
		t.Errorf("REMB regained 3.6 Mbit/s %v after the restore, want within 5 s", up)
	}
	if lost >= 0.02 || gwLoss >= 0.02 {
		t.Errorf("loss %.2f%% at the tbf, %.2f%% at the gateway, want under 2%%", 100*lost, 100*gwLoss)
	}
}

// firstREMB returns how long after from the first point satisfying ok
// came, or -1.
func firstREMB(series []rembPoint, from time.Duration, ok func(rembPoint) bool) time.Duration {
	for _, p := range series {
		at := time.Duration(p.T * float64(time.Second))
		if at >= from && ok(p) {
			return at - from
		}
	}
	return -1
}

// buildREMBSender builds tools/testsender into dir.
func buildREMBSender(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "testsender")
	cmd := exec.Command("go", "build", "-o", bin, "./tools/testsender")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./tools/testsender: %v\n%s", err, out)
	}
	return bin
}

// rembGatewayChild runs inside the gateway-side namespace: a gateway with
// one REMB-enabled VP8 stream on the veth address. It says when it is
// ready, runs until its stdin closes, and then writes the ingest metrics.
func rembGatewayChild(t *testing.T) {
	cfg := testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "%s:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 96
  [stream.remb]
  min_bitrate = 100
  max_bitrate = 6000
  start_bitrate = 2000
  abs_send_time_id = 3
`, rembGatewayAddr, rembIngestPort))
	gw := startGateway(t, cfg)
	fmt.Printf("%sready\n", rembChildMark)
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("the parent never closed stdin")
	}
	for _, name := range []string{"mediagate_ingest_packets_total", "mediagate_ingest_lost_packets_total",
		"mediagate_ingest_sender_follows_remb", "mediagate_ingest_remb_follow_ratio",
		"mediagate_ingest_remb_bitrate", "mediagate_ingest_estimate_bitrate"} {
		fmt.Printf("%smetric %s %g\n", rembChildMark, name, metricSum(t, gw.Gateway, name))
	}
}

// rembChild is the gateway process inside its namespace.
type rembChild struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	mu      sync.Mutex
	out     strings.Builder
	metrics map[string]float64
	done    chan struct{}
	stopped bool
}

// startREMBGatewayChild re-executes the test binary inside ns as the
// gateway and waits until it is ready.
func startREMBGatewayChild(ctx context.Context, t *testing.T, ns string) *rembChild {
	t.Helper()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0],
		"-test.run=^TestREMBCutAndRecoverInNamespace$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), rembChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the gateway inside %s: %v", ns, err)
	}
	c := &rembChild{cmd: cmd, stdin: stdin, metrics: map[string]float64{}, done: make(chan struct{})}
	ready := make(chan struct{})
	go c.read(stdout, ready)
	select {
	case <-ready:
	case <-c.done:
		t.Fatalf("the gateway inside %s ended before it was ready:\n%s", ns, c.output())
	case <-time.After(30 * time.Second):
		t.Fatalf("the gateway inside %s was not ready within 30 s:\n%s", ns, c.output())
	}
	return c
}

// read collects the child's output and its marked lines.
func (c *rembChild) read(r io.Reader, ready chan<- struct{}) {
	defer close(c.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		c.mu.Lock()
		c.out.WriteString(line + "\n")
		c.mu.Unlock()
		rest, ok := strings.CutPrefix(line, rembChildMark)
		if !ok {
			continue
		}
		var name string
		var v float64
		switch {
		case rest == "ready":
			close(ready)
		case strings.HasPrefix(rest, "metric "):
			if _, err := fmt.Sscanf(rest, "metric %s %g", &name, &v); err == nil {
				c.mu.Lock()
				c.metrics[name] = v
				c.mu.Unlock()
			}
		}
	}
}

func (c *rembChild) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// stop closes the child's stdin, waits for it to write its metrics and
// end, and returns the metrics. It is idempotent.
func (c *rembChild) stop(t *testing.T) map[string]float64 {
	t.Helper()
	if c.stopped {
		return c.metrics
	}
	c.stopped = true
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("the gateway inside the namespace failed: %v\n%s", err, c.output())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.metrics
}

// rembPoint is one line of the sender's -stats output with the link cap
// in force when the parent read it; T is seconds since the sender started.
type rembPoint struct {
	T       float64 `json:"-"`
	Cap     int     `json:"-"`
	REMB    float64 `json:"remb"`
	Target  float64 `json:"target"`
	Sent    float64 `json:"sent"`
	Packets int64   `json:"packets"`
}

// rembSenderRun is the test sender running inside its namespace.
type rembSenderRun struct {
	cmd     *exec.Cmd
	start   time.Time
	mu      sync.Mutex
	points  []rembPoint
	cap     int
	stderr  strings.Builder
	done    chan struct{}
	stopped bool
}

// startREMBSender starts the sender inside ns, sending to the gateway.
func startREMBSender(ctx context.Context, t *testing.T, ns, bin string) *rembSenderRun {
	t.Helper()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, bin,
		"-to", fmt.Sprintf("%s:%d", rembGatewayAddr, rembIngestPort), "-codec", "vp8",
		"-start", "2000", "-min", "100", "-max", "6000", "-abs-send-time-id", "3", "-stats",
		// A small picture keeps the encoder's CPU low, so that a busy machine
		// does not stall the sender; its noise still fills 6 Mbit/s.
		"-width", "320", "-height", "240")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := &rembSenderRun{cmd: cmd, cap: rembHighCap, done: make(chan struct{})}
	cmd.Stderr = &rembLockedWriter{mu: &r.mu, b: &r.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the test sender: %v", err)
	}
	r.start = time.Now()
	go r.read(stdout)
	return r
}

// read parses the sender's JSON lines, stamping each with the parent's
// clock and the cap in force.
func (r *rembSenderRun) read(out io.Reader) {
	defer close(r.done)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var p rembPoint
		if json.Unmarshal(sc.Bytes(), &p) != nil {
			continue
		}
		r.mu.Lock()
		p.T, p.Cap = time.Since(r.start).Seconds(), r.cap
		r.points = append(r.points, p)
		r.mu.Unlock()
	}
}

// setCap records the link cap from now on.
func (r *rembSenderRun) setCap(bps int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cap = bps
}

func (r *rembSenderRun) series() []rembPoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rembPoint(nil), r.points...)
}

// stop interrupts the sender and waits for it. It is idempotent.
func (r *rembSenderRun) stop(t *testing.T) {
	t.Helper()
	if r.stopped {
		return
	}
	r.stopped = true
	_ = r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	_ = r.cmd.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.points) == 0 {
		t.Errorf("the test sender printed no statistics; its stderr:\n%s", r.stderr.String())
	}
}

// rembLockedWriter appends to a strings.Builder under a mutex.
type rembLockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w *rembLockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
