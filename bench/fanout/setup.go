package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// cleanupTimeout bounds the whole teardown after the run (or an interrupt).
const cleanupTimeout = 60 * time.Second

// cleanups is a stack of teardown steps, run last-pushed first. Steps are
// pushed as things start, so the sender (started last) stops first, then the
// tee, Janus, mediagate and finally the namespace.
type cleanups struct {
	steps []func(context.Context)
}

// push adds a step.
func (c *cleanups) push(f func(context.Context)) { c.steps = append(c.steps, f) }

// run runs every step, newest first, on a context that an interrupt does not
// cancel.
func (c *cleanups) run() {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	for i := len(c.steps) - 1; i >= 0; i-- {
		c.steps[i](ctx)
	}
	c.steps = nil
}

// workDir makes the work directory for configs and logs, after removing
// what crashed runs left in the kernel; done removes the directory unless
// the run failed or keep is set, in which case it says where it is.
func workDir(ctx context.Context, prefix string, keep bool, log *slog.Logger) (string, func(error), error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, fmt.Errorf("work dir: %w", err)
	}
	cleanStale(context.WithoutCancel(ctx), log)
	return dir, func(err error) {
		if err != nil || keep {
			log.Info("configs and logs kept", "dir", dir)
			return
		}
		os.RemoveAll(dir)
	}, nil
}

// benchmark sets up the servers, the sender and the tee, measures, and
// prints the table; everything it started is stopped before it returns.
func benchmark(ctx context.Context, o options, log *slog.Logger) (err error) {
	dir, done, err := workDir(ctx, "mgbench-", o.keep, log)
	if err != nil {
		return err
	}
	defer func() { done(err) }()
	var cl cleanups
	defer cl.run()

	servers, dests, err := startServers(ctx, o, dir, &cl, log)
	if err != nil {
		return err
	}
	t, err := startTee(dests, log)
	if err != nil {
		return err
	}
	cl.push(func(context.Context) { t.close() })
	sender, err := startSender(ctx, dir, t, log)
	if err != nil {
		return err
	}
	cl.push(func(context.Context) { sender.stop(syscall.SIGINT) })

	b := &bench{set: settingsFor(o), proc: newProcReader(ctx), tee: t, log: log}
	rows, err := measureAll(ctx, b, servers)
	if len(rows) > 0 {
		if perr := printReport(os.Stdout, b, t, rows); perr != nil {
			err = errors.Join(err, perr)
		}
	}
	if err != nil {
		return err // a partial table is printed, never saved as the result
	}
	path, err := writeCSV(o.out, rows)
	if err != nil {
		return err
	}
	plot, err := writeFanoutPlot(o.out, rows, b.set.counts)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	log.Info("wrote results", "csv", path, "plot", plot)
	return nil
}

// printReport prints the header, the table, the counts a server could not be
// measured at, and issue 13's targets.
func printReport(w io.Writer, b *bench, t *tee, rows []row) error {
	printHeader(w, b, t)
	return errors.Join(printTable(w, rows), printNotes(w, rows), printTargets(w, rows))
}

// startServers starts the selected servers (mediagate first, then the
// namespace and Janus) and returns them with their ingest addresses and
// latency probes, for the tee.
func startServers(ctx context.Context, o options, dir string, cl *cleanups, log *slog.Logger) ([]server, []teeDest, error) {
	var servers []server
	var dests []teeDest
	if o.servers[colMediagate] {
		bin := o.mediagate
		if bin == "" {
			var err error
			if bin, err = buildMediagate(ctx, dir, o.prof.enabled(), log); err != nil {
				return nil, nil, err
			}
		}
		mg, err := startMediagate(ctx, bin, dir, log, o.prof)
		if err != nil {
			return nil, nil, err
		}
		cl.push(func(context.Context) { mg.close() })
		mg.probe = &latencyProbe{}
		servers = append(servers, mg)
		dests = append(dests, teeDest{addr: mg.ingestAddr(), probe: mg.probe})
	}
	if o.servers[colJanus] {
		ns, err := setupNetns(ctx, log)
		if err != nil {
			return nil, nil, err
		}
		cl.push(ns.close)
		j, err := startJanus(ctx, dir, ns, log)
		if err != nil {
			return nil, nil, err
		}
		cl.push(j.close)
		j.probe = &latencyProbe{}
		servers = append(servers, j)
		dests = append(dests, teeDest{addr: j.ingestAddr(), probe: j.probe})
	}
	return servers, dests, nil
}

// strictCount is the largest viewer count at which a server's failure to
// host the viewers fails the run. Above it (the capacity counts, 500) a
// server that cannot host them here is reported as not measured, with the
// reason, and the run goes on.
const strictCount = 100

// measureAll measures each server idle, then at each viewer count, the
// servers taking turns so that both see the same conditions. It returns the
// rows measured so far even when a measurement fails.
func measureAll(ctx context.Context, b *bench, servers []server) ([]row, error) {
	idle := map[string]time.Duration{}
	for _, srv := range servers {
		d, err := b.idle(ctx, srv)
		if err != nil {
			return nil, fmt.Errorf("%s idle: %w", srv.name(), err)
		}
		idle[srv.name()] = d
	}
	cpus := runtime.NumCPU()
	var results []result
	for _, n := range b.set.counts {
		for _, srv := range servers {
			r, err := b.measure(ctx, srv, n)
			if err != nil && n > strictCount && errors.Is(err, errJoin) && ctx.Err() == nil {
				b.log.Warn("not measured: the server could not host this many viewers here", "server", srv.name(), "viewers", n, "err", err)
				r = result{server: srv.name(), viewers: n, skipped: err.Error()}
				err = nil
			}
			if err != nil {
				return buildRows(idle, results, b.set.counts, cpus), fmt.Errorf("%s with %d viewers: %w", srv.name(), n, err)
			}
			if r.starved = starvedReason(r, cpus); r.starved != "" {
				b.log.Warn("CPU per packet per viewer not reported", "server", srv.name(), "viewers", n, "reason", r.starved)
			}
			results = append(results, r)
		}
	}
	return buildRows(idle, results, b.set.counts, cpus), nil
}

// printHeader prints what was measured, on what machine, and how to read it.
func printHeader(w io.Writer, b *bench, t *tee) {
	fmt.Fprintf(w, "fan-out benchmark: one H.264 720p30 stream, %.0f RTP packets/s in, window %s\n", t.rate(), b.set.window)
	fmt.Fprintf(w, "machine: %d CPUs (%s), load average %s\n", runtime.NumCPU(), cpuModel(), loadAverage())
	fmt.Fprintln(w, "viewers: lean pion receivers in this process (ICE, DTLS, SRTP; no NACK, no receiver reports)")
	fmt.Fprintln(w, "lower is better for CPU, memory and latency; ratio < 1 means mediagate uses less than janus")
	fmt.Fprintln(w, "added latency: from the tee's send to the packet's arrival at the viewer's socket (kernel receive timestamp), what the server adds;")
	fmt.Fprintln(w, "  the issue 13 target uses it. \"at the viewer's read\" also counts the viewers' own receive path (ICE, SRTP, scheduling) in this process")
	fmt.Fprintf(w, "capacity = floor(%.1f × %d CPUs × 1e6 / (µs per packet per viewer × %.1f packets/s)), a 2.5 Mbit/s stream of %d-byte payloads; higher is better\n",
		capacityShare, runtime.NumCPU(), capacityPacketRate, capacityPayload)
}

// loadAverage returns the 1, 5 and 15-minute load averages (/proc/loadavg).
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// cpuModel returns the processor's model name from /proc/cpuinfo.
func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
