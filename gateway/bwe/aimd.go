package bwe

import (
	"math"
	"time"
)

// Rate controller constants, draft-ietf-rmcat-gcc-02 §5.5, and the fast
// recovery rule of this package (see doc.go).
const (
	beta            = 0.85 // A_r = beta * R on over-use
	etaPerSecond    = 1.08 // multiplicative increase far from convergence
	maxRateRatio    = 1.5  // A_r < 1.5 * R
	recoveryRatio   = 2.0  // A_r < 2 * R during fast recovery
	responseTime    = 100 * time.Millisecond
	additivePacket  = 1200 * 8 // bits added per response time near convergence
	decreaseSpacing = 200 * time.Millisecond
	recoveryAfter   = time.Second             // quiet time before fast recovery
	convergedHold   = 1500 * time.Millisecond // quiet time after which "near" expires
	recoveryPerSec  = 2.0                     // growth per second during fast recovery
	probePerSec     = 1.3                     // growth per second once "near" expires
	maxUpdateGap    = time.Second             // longest elapsed time one update counts
	convergenceAlfa = 0.05                    // smoothing of the average max rate
	convergenceSpan = 3.0                     // standard deviations of "near convergence"
)

// incoming is the measured incoming rate R of §5.5 (bits/s) over its 500 ms
// window (long) and over the last 200 ms (recent). Beyond §5.5, a decrease
// takes the lower of the two (behind a standing queue the recent rate is
// the bottleneck's, while the long window still holds traffic from before
// the queue grew) and the 1.5 R bound the higher (a sender ramping up shows
// its new rate in the recent window first).
type incoming struct{ long, recent float64 }

// forDecrease is the R a decrease is based on: the lower of the two, but
// not below half the long one, so that a sender that paused for a moment
// (an encoder starved of CPU) does not drag the rate to nothing.
func (r incoming) forDecrease() float64 {
	return max(min(r.long, r.recent), r.long/2)
}

// forBound is the R the increase is bounded by.
func (r incoming) forBound() float64 { return max(r.long, r.recent) }

// rateState is the controller's state, §5.5 (figure 2).
type rateState int

const (
	stateHold rateState = iota
	stateIncrease
	stateDecrease
)

// aimd is the delay-based rate controller: A_r(i) of §5.5.
type aimd struct {
	rate         float64 // bits/s
	state        rateState
	lastUpdate   time.Duration
	lastDecrease time.Duration
	lastOveruse  time.Duration
	updated      bool
	avgMax       float64 // kbit/s at past over-uses; negative when unknown
	varMax       float64 // normalized variance of avgMax
}

// newAIMD returns a controller starting at start bits/s.
func newAIMD(start float64) aimd {
	return aimd{rate: start, avgMax: -1, varMax: 0.4, lastOveruse: -recoveryAfter}
}

// update advances the state machine with signal u at offset now given the
// incoming rate r (bits/s), and returns the new A_r.
func (a *aimd) update(u usage, now time.Duration, in incoming) float64 {
	r := in.long
	if !a.updated {
		a.updated, a.lastUpdate = true, now
	}
	dt := min(max(now-a.lastUpdate, 0), maxUpdateGap)
	a.lastUpdate = now
	if a.avgMax >= 0 && r/1000 > a.avgMax+convergenceSpan*a.stdMax() {
		a.avgMax = -1 // the path opened up: the old maximum no longer holds
	}
	if u == usageUnder && now-a.lastOveruse >= recoveryAfter {
		// A queue draining long after our last decrease: the bottleneck
		// widened, so the old maximum no longer holds either.
		a.avgMax = -1
	}
	a.transition(u)
	switch a.state {
	case stateIncrease:
		a.increase(now, dt, in.forBound())
	case stateDecrease:
		a.decrease(now, in.forDecrease())
	}
	return a.rate
}

// transition applies the state table of §5.5: over-use always decreases,
// under-use holds, normal moves hold to increase and decrease to hold.
func (a *aimd) transition(u usage) {
	switch u {
	case usageOver:
		a.state = stateDecrease
	case usageUnder:
		a.state = stateHold
	default:
		if a.state == stateHold {
			a.state = stateIncrease
		} else if a.state == stateDecrease {
			a.state = stateHold
		}
	}
}

// increase grows the rate: additively near convergence, by 8% per second far
// from it, and by the fast-recovery factor far from it once no over-use has
// been seen for recoveryAfter. Near convergence ends by itself after
// convergedHold without over-use. The result never exceeds 1.5 R.
func (a *aimd) increase(now, dt time.Duration, r float64) {
	quiet := now - a.lastOveruse
	sec := dt.Seconds()
	ratio := maxRateRatio
	switch {
	case a.avgMax >= 0 && quiet < convergedHold:
		a.rate += additivePacket * sec / responseTime.Seconds()
	case a.avgMax >= 0:
		a.rate *= math.Pow(probePerSec, sec)
	case quiet >= recoveryAfter:
		a.rate *= math.Pow(recoveryPerSec, sec)
		ratio = recoveryRatio
	default:
		a.rate *= math.Pow(etaPerSecond, sec)
	}
	if r > 0 {
		a.rate = min(a.rate, ratio*r+10_000)
	}
}

// decrease sets A_r = beta * R (§5.5), at most once per decreaseSpacing, and
// records R in the running average of rates at over-use.
func (a *aimd) decrease(now time.Duration, r float64) {
	a.lastOveruse = now
	if now-a.lastDecrease < decreaseSpacing && a.lastDecrease != 0 {
		a.state = stateHold
		return
	}
	a.lastDecrease = now
	if r > 0 {
		a.rate = min(a.rate, beta*r)
		a.observeMax(r / 1000)
	}
	a.state = stateHold
}

// observeMax updates the average and normalized variance of the incoming
// rate at over-use, used to tell "near convergence" from "far".
func (a *aimd) observeMax(kbps float64) {
	if a.avgMax >= 0 && kbps < a.avgMax-convergenceSpan*a.stdMax() {
		a.avgMax = -1 // far below the old maximum: start a new average
	}
	if a.avgMax < 0 {
		a.avgMax = kbps
	} else {
		a.avgMax = (1-convergenceAlfa)*a.avgMax + convergenceAlfa*kbps
	}
	norm := max(a.avgMax, 1)
	dev := a.avgMax - kbps
	a.varMax = (1-convergenceAlfa)*a.varMax + convergenceAlfa*dev*dev/norm
	a.varMax = min(max(a.varMax, 0.4), 2.5)
}

// stdMax is the standard deviation of the average max rate in kbit/s.
func (a *aimd) stdMax() float64 { return math.Sqrt(a.varMax * a.avgMax) }
