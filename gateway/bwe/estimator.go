package bwe

import (
	"math"
	"sync"
	"time"
)

// Estimator is a receive-side bandwidth estimator for one RTP sender. Its
// zero value uses the Default bitrates; New sets the bounds. All methods are
// safe for concurrent use.
type Estimator struct {
	mu      sync.Mutex
	cfg     Config
	ready   bool
	origin  time.Time
	started bool

	groups   grouper
	trend    trendline
	detector detector
	rate     aimd
	incoming rateMeter
	loss     lossBound
	seq      seqLoss
	delay    float64 // A_r, bits/s
}

// New returns an Estimator bounded by cfg; zero fields take their defaults.
func New(cfg Config) *Estimator {
	e := &Estimator{cfg: cfg}
	e.mu.Lock()
	e.init()
	e.mu.Unlock()
	return e
}

// init fills in the configuration and the initial state once.
func (e *Estimator) init() {
	if e.ready {
		return
	}
	e.ready = true
	e.cfg = e.cfg.normalized()
	e.detector = newDetector()
	e.rate = newAIMD(float64(e.cfg.StartBitrate))
	e.delay = float64(e.cfg.StartBitrate)
	e.loss.bound = math.Inf(1)
}

// offset returns t as an offset from the first packet's arrival.
func (e *Estimator) offset(t time.Time) time.Duration {
	if !e.started {
		e.started, e.origin = true, t
	}
	return t.Sub(e.origin)
}

// OnPacket records one received RTP packet: its arrival time on the local
// clock, its send time on the sender's clock (from AbsSendTime or RTPTime),
// its size in bytes including headers, and its sequence number. It does not
// allocate.
func (e *Estimator) OnPacket(arrival time.Time, sendTime time.Duration, size int, seq uint16) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.init()
	at := e.offset(arrival)
	if at < 0 {
		return // before the first packet: the clock went backwards
	}
	e.incoming.add(at, size)
	if p, ok := e.seq.add(seq, at); ok {
		e.applyLoss(p)
	}
	if d, ok := e.groups.add(at, sendTime, size); ok {
		e.onDelta(d)
	}
}

// onDelta runs one inter-group delta through filter, detector and rate
// controller (§5.3–§5.5).
func (e *Estimator) onDelta(d delta) {
	m := e.trend.update(d)
	u := e.detector.detect(m, e.trend.trend, d.send, d.at, e.trend.deltas)
	r := incoming{long: e.incoming.rate(d.at), recent: e.incoming.recent(d.at)}
	e.delay = e.cfg.clamp(e.rate.update(u, d.at, r))
	e.rate.rate = e.delay
}

// OnLoss records a loss fraction in [0, 1] reported for the sender, for
// instance from RTCP receiver reports, and applies the loss rule of §6 at
// once. Loss the estimator sees in sequence numbers is applied without it.
func (e *Estimator) OnLoss(fractionLost float64, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.init()
	e.offset(at)
	e.applyLoss(min(max(fractionLost, 0), 1))
}

// applyLoss updates A_s and keeps A_r from drifting above it (§6).
func (e *Estimator) applyLoss(p float64) {
	bound := e.loss.apply(p, e.current())
	if bound < e.delay {
		e.delay = bound
		e.rate.rate = bound
	}
}

// current is min(A_r, A_s) clamped to the configured bounds.
func (e *Estimator) current() float64 {
	return e.cfg.clamp(min(e.delay, e.loss.bound))
}

// Estimate returns the current estimate in bits per second, the value to
// send in REMB. It lies within [MinBitrate, MaxBitrate]. The estimate moves
// only as packets and loss reports arrive; now is taken for symmetry with
// IncomingRate and is not used.
func (e *Estimator) Estimate(now time.Time) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.init()
	return int(e.current())
}

// IncomingRate returns the bit rate received over the last 500 ms before
// now, the R of §5.5.
func (e *Estimator) IncomingRate(now time.Time) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.init()
	if !e.started {
		return 0
	}
	at := now.Sub(e.origin)
	if at < 0 {
		return 0
	}
	return int(e.incoming.rate(at))
}
