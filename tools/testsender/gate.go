package main

import "time"

// logEvery is how often one kind of hot-path error is logged at most.
const logEvery = time.Second

// gate lets one log line through per logEvery and counts what it held
// back. It is not safe for concurrent use: each goroutine, or each mutex,
// has its own.
type gate struct {
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many events were held back
// since the last line.
func (g *gate) allow(now time.Time) (int, bool) {
	if !g.last.IsZero() && now.Sub(g.last) < logEvery {
		g.suppressed++
		return 0, false
	}
	n := g.suppressed
	g.last, g.suppressed = now, 0
	return n, true
}
