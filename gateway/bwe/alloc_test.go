package bwe

import (
	"testing"
	"time"
)

func TestOnPacketAllocs(t *testing.T) {
	e := New(Config{})
	start := time.Now()
	var i int
	allocs := testing.AllocsPerRun(10000, func() {
		i++
		at := time.Duration(i) * time.Millisecond
		e.OnPacket(start.Add(at+time.Duration(i%7)*time.Millisecond), at, 1200, uint16(i))
		e.Estimate(start.Add(at))
	})
	if allocs != 0 {
		t.Fatalf("OnPacket allocates %.1f times per call, want 0", allocs)
	}
}

func BenchmarkOnPacket(b *testing.B) {
	e := New(Config{})
	b.ReportAllocs()
	start := time.Now()
	i := 0
	for b.Loop() {
		i++
		at := time.Duration(i) * 250 * time.Microsecond
		e.OnPacket(start.Add(at+time.Duration(i%5)*time.Millisecond), at, 1200, uint16(i))
	}
}

// FuzzEstimator feeds arbitrary traces: every 6 bytes are one packet (arrival
// step in 10 µs units, signed send step in 10 µs units, size) and the estimate
// must stay within the configured bounds whatever the trace.
func FuzzEstimator(f *testing.F) {
	f.Add([]byte{0x0d, 0x05, 0x0d, 0x05, 0x04, 0xb0}, uint16(0), 0.0)
	f.Add([]byte{0xff, 0xff, 0x00, 0x01, 0x04, 0xb0, 0x00, 0x00, 0x80, 0x00, 0x00, 0x10}, uint16(65530), 0.5)
	f.Add([]byte{0x03, 0xe8, 0x03, 0xe8, 0x01, 0x00, 0x07, 0xd0, 0x03, 0xe8, 0x01, 0x00}, uint16(7), 0.2)
	f.Fuzz(func(t *testing.T, trace []byte, seq uint16, loss float64) {
		cfg := Config{MinBitrate: 80_000, MaxBitrate: 3_000_000, StartBitrate: 500_000}
		e := New(cfg)
		arrival, send := time.Now(), time.Duration(0)
		for len(trace) >= 6 {
			arrival = arrival.Add(time.Duration(uint16(trace[0])<<8|uint16(trace[1])) * 10 * time.Microsecond)
			send += time.Duration(int16(uint16(trace[2])<<8|uint16(trace[3]))) * 10 * time.Microsecond
			size := int(uint16(trace[4])<<8 | uint16(trace[5]))
			e.OnPacket(arrival, send, size, seq)
			seq += uint16(trace[5] % 3)
			trace = trace[6:]
			checkBounds(t, e, cfg, arrival)
		}
		e.OnLoss(loss, arrival)
		checkBounds(t, e, cfg, arrival)
		if r := e.IncomingRate(arrival); r < 0 {
			t.Fatalf("IncomingRate = %d, want >= 0", r)
		}
	})
}

func checkBounds(t *testing.T, e *Estimator, cfg Config, now time.Time) {
	t.Helper()
	if got := e.Estimate(now); got < cfg.MinBitrate || got > cfg.MaxBitrate {
		t.Fatalf("Estimate = %d, outside [%d, %d]", got, cfg.MinBitrate, cfg.MaxBitrate)
	}
}

// TestConcurrentUse runs OnPacket against Estimate, IncomingRate and OnLoss
// from another goroutine; run with -race.
func TestConcurrentUse(t *testing.T) {
	e := New(Config{})
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 2000 {
			at := time.Duration(i) * time.Millisecond
			e.OnPacket(start.Add(at), at, 1200, uint16(i))
		}
	}()
	for i := range 2000 {
		now := start.Add(time.Duration(i) * time.Millisecond)
		e.Estimate(now)
		e.IncomingRate(now)
		if i%500 == 0 {
			e.OnLoss(0.01, now)
		}
	}
	<-done
}
