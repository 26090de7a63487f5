package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	cases := []struct {
		stat string
		want time.Duration
		ok   bool
	}{
		{"1234 (turnserver) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 1 2 3", 3 * time.Second, true},
		{"99 (a b) c) R 1 2 3 4 5 6 7 8 9 10 7 3 0 0", 100 * time.Millisecond, true},
		{"99 (short) R 1 2", 0, false},
		{"no parenthesis", 0, false},
		{"1 (x) S 1 1 1 0 -1 0 0 0 0 0 x 1 0", 0, false},
	}
	for _, c := range cases {
		got, err := parseStatCPU(c.stat)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseStatCPU(%q) = %v, %v; want %v", c.stat, got, err, c.want)
		}
	}
}

func TestRatio(t *testing.T) {
	rs := []result{
		{server: colMediagate, direction: dirToClient, relayed: 1000, cpu: time.Second},
		{server: colCoturn, direction: dirToClient, relayed: 500, cpu: time.Second},
		{server: colMediagate, direction: dirToPeer, relayed: 1000, cpu: time.Second},
	}
	if got := ratio(rs, dirToClient); got != 2 {
		t.Errorf("ratio = %v, want 2", got)
	}
	if got := ratio(rs, dirToPeer); !math.IsNaN(got) {
		t.Errorf("ratio without coturn = %v, want NaN", got)
	}
	if got := cpuPerPacket(rs[0]); got != time.Millisecond {
		t.Errorf("cpuPerPacket = %v", got)
	}
	if got := cpuPerPacket(result{}); got != 0 {
		t.Errorf("cpuPerPacket of nothing = %v", got)
	}
}

func TestPrintTable(t *testing.T) {
	rs := []result{
		{server: colMediagate, direction: dirToClient, offered: 1000, relayed: 900, window: time.Second, cpu: 10 * time.Millisecond},
		{server: colCoturn, direction: dirToClient, offered: 1000, relayed: 1000, window: time.Second, cpu: 20 * time.Millisecond},
	}
	var b strings.Builder
	if err := printTable(&b, options{rate: 1000, clients: 2, size: 100, duration: time.Second}, rs); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"10.0%", "11.11µs", "90000", "50000", "mediagate/coturn packets per CPU-second = 1.80", "= n/a"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestPayloadSize(t *testing.T) {
	cases := []struct{ size, vary int }{{1000, 0}, {1000, 300}, {16, 0}, {100, 84}}
	for _, c := range cases {
		o := options{size: c.size, vary: c.vary, clients: 4}
		for i := range 1000 {
			n := payloadSize(o, i)
			if n > c.size || n < c.size-c.vary {
				t.Fatalf("size %d vary %d: datagram %d has %d bytes", c.size, c.vary, i, n)
			}
			if c.vary > 0 && i >= o.clients && n == payloadSize(o, i-o.clients) && n == payloadSize(o, i-2*o.clients) {
				t.Errorf("size %d vary %d: datagrams %d, %d and %d toward one client are alike", c.size, c.vary, i-2*o.clients, i-o.clients, i)
			}
		}
	}
}
