package main

import (
	"context"
	"encoding/json"
	"time"
)

// statsInterval is how often a statistics line is written.
const statsInterval = 100 * time.Millisecond

// statLine is one line of -stats output. Its JSON shape is an interface:
// tests parse it.
type statLine struct {
	// T is the seconds since the sender started.
	T float64 `json:"t"`
	// REMB is the last REMB received in bit/s, 0 before the first.
	REMB int64 `json:"remb"`
	// Target is the encoder's target in bit/s.
	Target int64 `json:"target"`
	// Sent is the rate sent over the last 500 ms in bit/s.
	Sent int64 `json:"sent"`
	// Packets is the number of RTP packets sent.
	Packets int64 `json:"packets"`
}

// snapshot returns the statistics at now.
func (s *sender) snapshot(now time.Time) statLine {
	return statLine{
		T:       float64(now.Sub(s.start).Milliseconds()) / 1000,
		REMB:    s.ctl.remb.Load(),
		Target:  s.ctl.target.Load(),
		Sent:    s.tr.meter.rate(now),
		Packets: s.tr.packets.Load(),
	}
}

// statsLoop writes a line every statsInterval until ctx ends.
func (s *sender) statsLoop(ctx context.Context) {
	tick := time.NewTicker(statsInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			s.writeStats(now)
		}
	}
}

// writeStats writes one line with one Write call, so a reader never sees
// half of one; a failing writer is logged once a second.
func (s *sender) writeStats(now time.Time) {
	b, err := json.Marshal(s.snapshot(now))
	if err == nil {
		_, err = s.stats.Write(append(b, '\n'))
	}
	if err != nil {
		if n, ok := s.statsErr.allow(now); ok {
			s.log.Warn("writing statistics failed", "err", err, "suppressed", n)
		}
	}
}
