package main

import (
	"sync"
	"time"
)

// rateWindow is the span the "sent" statistic averages over.
const rateWindow = 500 * time.Millisecond

// rateMeter measures the bit rate of what was sent over a sliding window.
// add runs on the pacer's goroutine, rate on the statistics goroutine.
type rateMeter struct {
	window time.Duration
	start  time.Time

	mu      sync.Mutex
	samples []sample // in time order, from head
	head    int
	bytes   int // sum of samples[head:]
}

type sample struct {
	at    time.Time
	bytes int
}

func newRateMeter(window time.Duration, start time.Time) *rateMeter {
	return &rateMeter{window: window, start: start}
}

// add records n bytes sent at now.
func (m *rateMeter) add(now time.Time, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.samples = append(m.samples, sample{at: now, bytes: n})
	m.bytes += n
	m.expire(now)
}

// rate returns the bits per second sent over the window ending at now, or
// over the time since start while that is shorter.
func (m *rateMeter) rate(now time.Time) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(now)
	span := min(m.window, now.Sub(m.start))
	if span <= 0 {
		return 0
	}
	return int64(float64(m.bytes*8) / span.Seconds())
}

// expire drops the samples older than the window and compacts the slice
// once half of it is dead.
func (m *rateMeter) expire(now time.Time) {
	cutoff := now.Add(-m.window)
	for m.head < len(m.samples) && !m.samples[m.head].at.After(cutoff) {
		m.bytes -= m.samples[m.head].bytes
		m.head++
	}
	if m.head > len(m.samples)/2 {
		m.samples = append(m.samples[:0], m.samples[m.head:]...)
		m.head = 0
	}
}
