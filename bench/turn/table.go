package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// perSecond is a count over a window, per second.
func perSecond(n int64, window time.Duration) float64 {
	if window <= 0 {
		return 0
	}
	return float64(n) / window.Seconds()
}

// cpuPerPacket is the server's CPU time per relayed packet.
func cpuPerPacket(r result) time.Duration {
	if r.relayed == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.relayed)
}

// perCore is relayed packets per CPU-second: throughput per core.
func perCore(r result) float64 {
	if r.cpu <= 0 {
		return math.NaN()
	}
	return float64(r.relayed) / r.cpu.Seconds()
}

// ratio is mediagate's packets per CPU-second over coturn's, per direction.
func ratio(results []result, direction string) float64 {
	var mg, ct float64 = math.NaN(), math.NaN()
	for _, r := range results {
		if r.direction != direction {
			continue
		}
		switch r.server {
		case colMediagate:
			mg = perCore(r)
		case colCoturn:
			ct = perCore(r)
		}
	}
	if ct == 0 || math.IsNaN(ct) {
		return math.NaN()
	}
	return mg / ct
}

// printTable writes the results and, per direction, the ratio.
func printTable(w io.Writer, o options, results []result) error {
	offered := "as fast as possible"
	if o.rate > 0 {
		offered = fmt.Sprintf("%d datagrams/s", o.rate)
	}
	payloads := fmt.Sprintf("%d-byte payloads", o.size)
	if o.vary > 0 {
		payloads = fmt.Sprintf("%d- to %d-byte payloads", o.size-o.vary, o.size)
	}
	fmt.Fprintf(w, "TURN relay on loopback: %d clients, %s, %s offered, %v per measurement\n\n",
		o.clients, payloads, offered, o.duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "direction\tserver\toffered/s\trelayed/s\tloss\tCPU/pkt\tpkts per CPU-s\t")
	for _, r := range results {
		loss := 0.0
		if r.offered > 0 {
			loss = 100 * (1 - float64(r.relayed)/float64(r.offered))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.1f%%\t%v\t%.0f\t\n", r.direction, r.server,
			perSecond(r.offered, r.window), perSecond(r.relayed, r.window), loss,
			cpuPerPacket(r).Round(10*time.Nanosecond), perCore(r))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, d := range []string{dirToClient, dirToPeer} {
		fmt.Fprintf(w, "%s: mediagate/coturn packets per CPU-second = %s\n", d, formatRatio(ratio(results, d)))
	}
	fmt.Fprintln(w, strings.Repeat("-", 20))
	fmt.Fprintln(w, "CPU is the server process's user+system time (/proc, 10 ms resolution); a ratio of 1 or more")
	fmt.Fprintln(w, "means mediagate relays at least as many packets per core as coturn.")
	return nil
}

func formatRatio(r float64) string {
	if math.IsNaN(r) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", r)
}
