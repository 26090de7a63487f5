package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// The derived capacity: how many viewers of one 2.5 Mbit/s stream fit in
// 70 % of this machine's CPUs at the CPU per packet per viewer measured at a
// count (100 viewers and more):
//
//	packets/s  = 2.5e6 / 8 / 1200 ≈ 260.4  (1200-byte RTP payloads, headers not counted)
//	capacity   = ⌊ 0.7 × runtime.NumCPU() × 1e6 µs/s ÷ (µs per packet per viewer × packets/s) ⌋
//
// The per-viewer figure already carries the stream's ingest spread over the
// count's viewers, so the capacity is that of one stream, fanned out.
const (
	capacityBitrate  = 2.5e6 // bit/s of the stream
	capacityPayload  = 1200  // bytes of RTP payload per packet
	capacityShare    = 0.7   // share of the CPUs given to fan-out
	capacityMinCount = 100   // counts from which a capacity is derived
)

// capacityPacketRate is the packets per second of the capacity's stream.
const capacityPacketRate = capacityBitrate / 8 / capacityPayload

// capacityFrom reports whether a capacity row is derived at count n.
func capacityFrom(n int) bool { return n >= capacityMinCount }

// capacity returns the viewers that fit at usPerPkt µs per packet per
// viewer on cpus CPUs, NaN without a measurement.
func capacity(usPerPkt float64, cpus int) float64 {
	if math.IsNaN(usPerPkt) || usPerPkt <= 0 {
		return math.NaN()
	}
	return math.Floor(capacityShare * float64(cpus) * 1e6 / (usPerPkt * capacityPacketRate))
}

// capacityMetric names the capacity row.
func capacityMetric(cpus int) string {
	return fmt.Sprintf("viewers of 2.5 Mbit/s in 70%% of %d CPUs", cpus)
}

// capacityRow derives the capacity from a count's CPU per packet per viewer.
func capacityRow(perPkt row, cpus int) row {
	r := newRow(perPkt.viewers, capacityMetric(cpus))
	for srv, us := range perPkt.values {
		r.values[srv] = capacity(us, cpus)
	}
	for srv, why := range perPkt.skipped {
		r.skipped[srv] = why
	}
	return r
}

// target is one of issue 13's goals, checked against the table.
type target struct {
	goal  string
	check func(rows []row) (state, detail string)
}

// The states of a target.
const (
	targetMet    = "met"
	targetMissed = "MISSED"
	targetNone   = "n/m"
)

// fullDelivery is the lowest delivery ratio printed as 1.000.
const fullDelivery = 0.9995

// targets are issue 13's "what it must show", for mediagate.
var targets = []target{
	{"CPU per packet per viewer at 100 viewers ≤ ⅓ of janus's", func(rows []row) (string, string) {
		r, ok := findRow(rows, 100, metricPerPkt)
		return judge(ok && !math.IsNaN(r.ratio()), r.ratio() <= 1.0/3, fmt.Sprintf("ratio %s", format(r.ratio())))
	}},
	{"CPU per packet per viewer at 100 viewers ≤ 2.5 µs", func(rows []row) (string, string) {
		return judgeValue(rows, metricPerPkt, 2.5, "µs")
	}},
	{"RSS per viewer at 100 viewers ≤ 150 KiB", func(rows []row) (string, string) {
		return judgeValue(rows, metricMemory, 150, "KiB")
	}},
	{"delivery ratio 1.000 at every count", func(rows []row) (string, string) {
		worst, at, seen := math.Inf(1), 0, false
		for _, r := range rows {
			if v := r.value(colMediagate); r.metric == metricDelivery && !math.IsNaN(v) {
				seen = true
				if v < worst {
					worst, at = v, r.viewers
				}
			}
		}
		return judge(seen, worst >= fullDelivery, fmt.Sprintf("lowest %s (%d viewers)", format(worst), at))
	}},
	{"added latency p99 (tee → viewer's socket) at 100 viewers ≤ 2 ms", func(rows []row) (string, string) {
		return judgeValue(rows, metricLatP99, 2, "ms")
	}},
	{"ingest with no viewers ≤ ⅓ of janus's µs per packet", func(rows []row) (string, string) {
		r, ok := findRow(rows, 0, metricIdle)
		return judge(ok && !math.IsNaN(r.ratio()), r.ratio() <= 1.0/3, fmt.Sprintf("ratio %s", format(r.ratio())))
	}},
}

// judgeValue checks mediagate's value of metric at 100 viewers against limit.
func judgeValue(rows []row, metric string, limit float64, unit string) (string, string) {
	r, ok := findRow(rows, 100, metric)
	v := r.value(colMediagate)
	return judge(ok && !math.IsNaN(v), v <= limit, fmt.Sprintf("mediagate %s %s", format(v), unit))
}

// judge turns a check into a state; detail is shown when measured.
func judge(measured, met bool, detail string) (string, string) {
	switch {
	case !measured:
		return targetNone, "not measured in this run"
	case met:
		return targetMet, detail
	default:
		return targetMissed, detail
	}
}

// findRow returns the row of metric at count n.
func findRow(rows []row, n int, metric string) (row, bool) {
	for _, r := range rows {
		if r.viewers == n && r.metric == metric {
			return r, true
		}
	}
	return newRow(n, metric), false
}

// printTargets prints issue 13's targets as a checklist beside the results.
// It is informational: the benchmark never fails on them.
func printTargets(w io.Writer, rows []row) error {
	var b strings.Builder
	b.WriteString("issue 13 targets for mediagate (informational, the run does not fail on them):\n")
	for _, t := range targets {
		state, detail := t.check(rows)
		fmt.Fprintf(&b, "  [%-6s] %s: %s\n", state, t.goal, detail)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
