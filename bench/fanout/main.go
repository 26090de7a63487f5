// Command fanout benchmarks mediagate's fan-out against Janus's streaming
// plugin: one H.264 stream to 1, 10, 100 and 500 viewers (-quick: 1, 10 and
// 100), reporting each server's CPU per packet per viewer, memory per viewer,
// CPU per viewer join, delivery, the latency it adds (tee → the viewer's
// socket, kernel timestamps at both ends, p50 and p99; and, informative, p99
// at the viewer's read after SRTP), the viewers of a 2.5 Mbit/s stream that fit in 70 % of the machine,
// and the ratios; with a CSV and a PNG of CPU and memory per viewer.
//
// One GStreamer sender feeds a UDP tee in this program, which hands every
// datagram to both servers at once. mediagate runs on loopback; Janus (which
// gathers no loopback ICE candidates) runs in a network namespace joined to
// the host by a veth pair. The viewers are pion PeerConnections in this
// process, lean receivers (ICE, DTLS and SRTP only). See docs/benchmarks.md.
//
//	sudo go run ./bench/fanout [-quick] [-out build/bench] [-viewers 1,10,100,500]
//
// It needs root (for the namespace), janus, gst-launch-1.0 and ip, and it
// runs from the repository root, where it builds ./cmd/mediagate.
//
// With -cpuprofile FILE (and -memprofile FILE) it builds mediagate with the
// pprof tag and writes the gateway's CPU profile (and allocations) over
// each measurement window with viewers (profile.go):
//
//	sudo go run ./bench/fanout -quick -viewers 100 -cpuprofile build/bench/cpu.pprof
//	go tool pprof -top -diff_base OLD.pprof build/bench/cpu.pprof
//
// With -soak DURATION it runs the soak instead (soak.go, make soak):
//
//	sudo go run ./bench/fanout -soak 1h -viewers 100 [-soak-loss 0.05] [-soak-reload 10s] [-soak-restart 2m]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The default viewer counts. The quick run leaves 500 out: its joins and
// teardown take about a minute per server, past the quick run's budget.
const (
	fullCounts  = "1,10,100,500"
	quickCounts = "1,10,100"
)

// options are the command-line flags.
type options struct {
	quick     bool
	out       string
	viewers   []int
	servers   map[string]bool
	parallel  int
	mediagate string // prebuilt binary; empty builds ./cmd/mediagate
	verbose   bool
	keep      bool // keep the work directory (configs, logs)
	prof      profiles

	soak        time.Duration // > 0: run the soak (soak.go) instead of the benchmark
	soakLoss    float64
	soakReload  time.Duration
	soakRestart time.Duration
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run is main with an exit status.
func run(args []string) int {
	opts, err := parseFlags(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fanout:", err)
		return 2
	}
	level := slog.LevelInfo
	if opts.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "fanout:", errNotRoot)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if opts.soak > 0 {
		if err := soak(ctx, opts, log); err != nil {
			log.Error("soak failed", "err", err)
			return 1
		}
		return 0
	}
	if err := benchmark(ctx, opts, log); err != nil {
		log.Error("benchmark failed", "err", err)
		return 1
	}
	return 0
}

// parseFlags parses the command line.
func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("fanout", flag.ContinueOnError)
	var o options
	var viewers, servers string
	fs.BoolVar(&o.quick, "quick", false, "short measurement windows (the whole run takes under 2 minutes)")
	fs.StringVar(&o.out, "out", "build/bench", "directory for fanout.csv")
	fs.StringVar(&viewers, "viewers", "", "viewer counts to measure, comma separated (default "+fullCounts+", with -quick "+quickCounts+")")
	fs.StringVar(&servers, "servers", colMediagate+","+colJanus, "servers to measure, comma separated")
	fs.IntVar(&o.parallel, "parallel", 10, "viewers joining at once")
	fs.StringVar(&o.mediagate, "mediagate", "", "use this mediagate binary instead of building ./cmd/mediagate")
	fs.BoolVar(&o.verbose, "v", false, "debug logging")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory with the servers' configs and logs")
	fs.StringVar(&o.prof.cpu, "cpuprofile", "", "write mediagate's CPU profile over each window with viewers to this file (.<viewers> appended when several counts are measured); a -mediagate binary must be built with -tags "+profileTag)
	fs.StringVar(&o.prof.mem, "memprofile", "", "write mediagate's allocation profiles at the start (FILE.start) and end (FILE) of each window with viewers, as -cpuprofile")
	fs.DurationVar(&o.soak, "soak", 0, "run the soak for this long instead of the benchmark (mediagate only; viewers: -viewers' last count)")
	fs.Float64Var(&o.soakLoss, "soak-loss", 0.05, "soak: share of the UDP toward the viewers dropped at random")
	fs.DurationVar(&o.soakReload, "soak-reload", 10*time.Second, "soak: time between configuration reloads")
	fs.DurationVar(&o.soakRestart, "soak-restart", 2*time.Minute, "soak: time between camera restarts")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if viewers == "" {
		viewers = fullCounts
		if o.quick {
			viewers = quickCounts
		}
	}
	var err error
	if o.viewers, err = parseCounts(viewers); err != nil {
		return o, err
	}
	o.prof.counts = o.viewers
	o.servers = map[string]bool{}
	for _, s := range strings.Split(servers, ",") {
		if s = strings.TrimSpace(s); s != colMediagate && s != colJanus {
			return o, fmt.Errorf("-servers: unknown server %q (want %s, %s)", s, colMediagate, colJanus)
		}
		o.servers[s] = true
	}
	return o, nil
}

// parseCounts parses "1,10,100".
func parseCounts(s string) ([]int, error) {
	var counts []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1000 {
			return nil, fmt.Errorf("-viewers: %q is not a count from 1 to 1000", f)
		}
		counts = append(counts, n)
	}
	return counts, nil
}

// settingsFor returns the timings of a quick or a full run.
func settingsFor(o options) settings {
	s := settings{
		counts: o.viewers, window: 20 * time.Second, settle: 3 * time.Second, warm: 2 * time.Second,
		joinParallel: o.parallel, joinTimeout: 30 * time.Second,
	}
	if o.quick {
		s.window, s.settle, s.warm = 3*time.Second, time.Second, time.Second
	}
	return s
}
