package bwe

import (
	"math"
	"time"
)

// Loss-based control, draft-ietf-rmcat-gcc-02 §6.
const (
	lossHigh     = 0.10        // above: A_s = A (1 - 0.5 p)
	lossLow      = 0.02        // below: A_s no longer binds
	lossInterval = time.Second // how often sequence-number loss is reported
	lossMinCount = 10          // expected packets needed for a report
)

// lossBound is A_s of §6: the bound loss puts on the estimate.
type lossBound struct {
	bound float64 // bits/s; +Inf when loss has never bound the rate
}

// apply updates A_s with a loss fraction p given the current estimate est.
// It returns the new bound.
func (l *lossBound) apply(p, est float64) float64 {
	switch {
	case math.IsNaN(p):
	case p > lossHigh:
		l.bound = est * (1 - 0.5*min(p, 1))
	case p >= lossLow:
		l.bound = est
	default:
		// Beyond §6's 5% growth: once loss has gone, it binds no more and
		// the delay-based rate, with its fast recovery, leads again.
		l.bound = math.Inf(1)
	}
	return l.bound
}

// seqLoss counts loss from RTP sequence numbers (RFC 3550 §A.3) over one
// report interval.
type seqLoss struct {
	highest    int64 // extended highest sequence number
	base       int64 // highest at the start of the interval
	received   int64 // packets received in the interval
	started    bool
	intervalAt time.Duration
}

// add files one sequence number received at offset at; when an interval
// ends it returns the fraction lost in it and true.
func (s *seqLoss) add(seq uint16, at time.Duration) (float64, bool) {
	if !s.started {
		s.started, s.highest, s.base, s.intervalAt = true, int64(seq), int64(seq)-1, at
	}
	ext := s.highest + int64(int16(seq-uint16(s.highest)))
	s.highest = max(s.highest, ext)
	s.received++
	if at-s.intervalAt < lossInterval {
		return 0, false
	}
	expected := s.highest - s.base
	received := s.received
	s.base, s.received, s.intervalAt = s.highest, 0, at
	if expected < lossMinCount {
		return 0, false
	}
	lost := max(expected-received, 0)
	return float64(lost) / float64(expected), true
}
