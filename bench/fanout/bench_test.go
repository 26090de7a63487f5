package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestPerPacket(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cpu     time.Duration
		packets uint64
		viewers int
		want    time.Duration
	}{
		{"one viewer", time.Second, 1000, 1, time.Millisecond},
		{"hundred viewers", time.Second, 1000, 100, 10 * time.Microsecond},
		{"no packets", time.Second, 0, 10, 0},
		{"no viewers", time.Second, 10, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := perPacket(tc.cpu, tc.packets, tc.viewers); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeliveryRatio(t *testing.T) {
	for _, tc := range []struct {
		name        string
		a, z        []uint64
		in          uint64
		mean, worst float64
	}{
		{"all delivered", []uint64{0, 10}, []uint64{100, 110}, 100, 1, 1},
		{"one starved", []uint64{0, 0}, []uint64{100, 0}, 100, 0.5, 0},
		{"nothing in", []uint64{0}, []uint64{5}, 0, 0, 0},
		{"no viewers", nil, nil, 100, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mean, worst := deliveryRatio(tc.a, tc.z, tc.in)
			if mean != tc.mean || worst != tc.worst {
				t.Errorf("got %v/%v, want %v/%v", mean, worst, tc.mean, tc.worst)
			}
		})
	}
}

func TestRowRatio(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]float64
		want   float64
	}{
		{"both", map[string]float64{colMediagate: 1, colJanus: 4}, 0.25},
		{"janus missing", map[string]float64{colMediagate: 1}, math.NaN()},
		{"janus zero", map[string]float64{colMediagate: 1, colJanus: 0}, math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := row{values: tc.values}.ratio()
			if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPrintTable(t *testing.T) {
	idle := map[string]time.Duration{colMediagate: 2 * time.Microsecond, colJanus: 4 * time.Microsecond}
	results := []result{
		{server: colMediagate, viewers: 10, cpuPerPkt: time.Microsecond, rssPerView: 2048, joinCPU: 3 * time.Millisecond, delivery: 1},
		{server: colJanus, viewers: 10, cpuPerPkt: 2 * time.Microsecond, rssPerView: 4096, joinCPU: 6 * time.Millisecond, delivery: 1},
	}
	var b strings.Builder
	if err := printTable(&b, buildRows(idle, results, []int{10})); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want header + 5:\n%s", len(lines), b.String())
	}
	for _, want := range []string{"0.500", "2.000", "4.000", "1.000"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	width := len([]rune(lines[0]))
	for _, l := range lines {
		if len([]rune(l)) != width {
			t.Errorf("line %q is not %d wide", l, width)
		}
	}
}

func TestParseCounts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"1,10,100", []int{1, 10, 100}, true},
		{" 5 ", []int{5}, true},
		{"0", nil, false},
		{"1,x", nil, false},
		{"1001", nil, false},
	} {
		got, err := parseCounts(tc.in)
		if tc.ok != (err == nil) || len(got) != len(tc.want) {
			t.Errorf("parseCounts(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestStalePID(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stale bool
	}{
		{nsPrefix + "1", false},      // init is alive
		{nsPrefix + "4194303", true}, // no such pid
		{"other-4194303", false},     // not ours
		{nsPrefix + "abc", false},    // not a pid
		{hostIfPrefix + "4194303", true},
	} {
		prefix := nsPrefix
		if strings.HasPrefix(tc.name, hostIfPrefix) {
			prefix = hostIfPrefix
		}
		if _, stale := stalePID(tc.name, prefix); stale != tc.stale {
			t.Errorf("stalePID(%q) = %v, want %v", tc.name, stale, tc.stale)
		}
	}
}
