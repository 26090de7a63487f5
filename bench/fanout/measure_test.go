package main

import (
	"errors"
	"os"
	"testing"
	"time"
)

// statCases are /proc/<pid>/stat lines and the utime/stime they hold.
var statCases = []struct {
	name         string
	stat         string
	utime, stime int64
	ok           bool
}{
	{"plain", "1234 (janus) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 12 0 500 1000 200", 250, 75, true},
	{"spaces and parens in comm", "99 (a) b (c)) R 1 99 99 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 1 1 1", 7, 3, true},
	{"no comm", "1234 janus S 1", 0, 0, false},
	{"truncated", "1234 (janus) S 1 1234 1234 0 -1 4194560 100 0 0 0 250", 0, 0, false},
	{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 1 0 0 20 0 1 0 1 1 1", 0, 0, false},
	{"empty", "", 0, 0, false},
}

func TestParseStatTimes(t *testing.T) {
	for _, tc := range statCases {
		t.Run(tc.name, func(t *testing.T) {
			u, s, err := parseStatTimes([]byte(tc.stat))
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, errStatFormat) {
				t.Errorf("err = %v, want errStatFormat", err)
			}
			if u != tc.utime || s != tc.stime {
				t.Errorf("got %d/%d, want %d/%d", u, s, tc.utime, tc.stime)
			}
		})
	}
}

func FuzzParseStatTimes(f *testing.F) {
	for _, tc := range statCases {
		f.Add([]byte(tc.stat))
	}
	f.Fuzz(func(t *testing.T, stat []byte) {
		u, s, err := parseStatTimes(stat)
		if err != nil && (u != 0 || s != 0) {
			t.Fatalf("error %v with values %d/%d", err, u, s)
		}
	})
}

// TestCPUClockMatchesStat checks that the CPU-time clock and /proc/self/stat
// measure the same thing: after burning CPU, both moved by about as much.
func TestCPUClockMatchesStat(t *testing.T) {
	r := procReader{ticks: defaultClockTicks}
	pid := os.Getpid()
	clock0, err := cpuClock(pid)
	if err != nil {
		t.Fatal(err)
	}
	stat0, err := r.statCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	spins := 0
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); spins++ {
		_ = spins
	}
	clock1, _ := cpuClock(pid)
	stat1, _ := r.statCPU(pid)
	dc, ds := clock1-clock0, stat1-stat0
	if dc < 200*time.Millisecond {
		t.Fatalf("CPU clock moved %v after 300 ms of busy loop", dc)
	}
	if diff := (dc - ds).Abs(); diff > 50*time.Millisecond {
		t.Errorf("CPU clock moved %v, stat %v", dc, ds)
	}
}

func TestRSS(t *testing.T) {
	rss, err := procReader{}.rss(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 {
		t.Errorf("rss = %d bytes, implausibly small", rss)
	}
}
