package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCapacity(t *testing.T) {
	for _, tc := range []struct {
		us   float64
		cpus int
		want float64
	}{
		// 0.7 × 2 × 1e6 / (us × 2.5e6/8/1200)
		{7, 2, 768},
		{2.5, 2, 2150},
		{17, 2, 316},
		{7, 4, 1536},
	} {
		if got := capacity(tc.us, tc.cpus); got != tc.want {
			t.Errorf("capacity(%v µs, %d CPUs) = %v, want %v", tc.us, tc.cpus, got, tc.want)
		}
	}
	if !math.IsNaN(capacity(math.NaN(), 2)) || !math.IsNaN(capacity(0, 2)) {
		t.Error("capacity without a measurement is not NaN")
	}
}

func TestTargets(t *testing.T) {
	idle := map[string]time.Duration{colMediagate: 5 * time.Microsecond, colJanus: 20 * time.Microsecond}
	results := []result{
		{server: colMediagate, viewers: 10, cpuPerPkt: 4 * time.Microsecond, rssPerView: 300 << 10, delivery: 0.998, numbered: 0.998},
		{server: colJanus, viewers: 10, cpuPerPkt: 14 * time.Microsecond, rssPerView: 400 << 10, delivery: 1, numbered: 1},
		{server: colMediagate, viewers: 100, cpuPerPkt: 2 * time.Microsecond, rssPerView: 140 << 10, delivery: 1, numbered: 1, latP99: 3 * time.Millisecond},
		{server: colJanus, viewers: 100, cpuPerPkt: 17 * time.Microsecond, rssPerView: 600 << 10, delivery: 1, numbered: 1},
	}
	var b strings.Builder
	if err := printTargets(&b, buildRows(idle, results, []int{10, 100}, 2)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"[met   ] CPU per packet per viewer at 100 viewers ≤ ⅓ of janus's: ratio 0.118",
		"[met   ] CPU per packet per viewer at 100 viewers ≤ 2.5 µs: mediagate 2.000 µs",
		"[met   ] RSS per viewer at 100 viewers ≤ 150 KiB: mediagate 140.000 KiB",
		"[MISSED] delivery ratio 1.000 at every count: lowest 0.998 (10 viewers)",
		"[MISSED] added latency p99 (tee → viewer's socket) at 100 viewers ≤ 2 ms: mediagate 3.000 ms",
		"[met   ] ingest with no viewers ≤ ⅓ of janus's µs per packet: ratio 0.250",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("checklist lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := printTargets(&b, buildRows(nil, nil, []int{1}, 2)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(b.String(), "[n/m   ]"); got != len(targets) {
		t.Errorf("%d targets not measured in an empty run, want %d:\n%s", got, len(targets), b.String())
	}
}
