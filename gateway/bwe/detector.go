package bwe

import (
	"math"
	"time"
)

// usage is the detector's signal, draft-ietf-rmcat-gcc-02 §5.4.
type usage int

const (
	usageNormal usage = iota
	usageOver
	usageUnder
)

// Adaptive threshold and over-use rule, draft-ietf-rmcat-gcc-02 §5.4.
const (
	thresholdInit   = 12.5    // gamma(0), ms
	thresholdMin    = 6.0     // gamma is clamped to [6, 600] ms
	thresholdMax    = 600.0   //
	kUp             = 0.01    // K_u: gamma rises towards |m| this fast
	kDown           = 0.00018 // K_d: gamma falls towards |m| this fast
	maxAdaptOffset  = 15.0    // |m| beyond gamma+15 ms does not move gamma
	maxAdaptStep    = 100.0   // ms of elapsed time counted per update
	overuseTime     = 10.0    // ms over gamma before over-use is signalled
	overuseMinCount = 2       // groups over gamma before over-use is signalled
)

// detector compares m(i) with the adaptive threshold gamma(i) and applies
// the time-over-threshold rule.
type detector struct {
	threshold  float64
	lastUpdate float64
	updated    bool
	overTime   float64 // ms m has been over gamma; negative when it is not
	overCount  int
	prevTrend  float64
	state      usage
}

// newDetector returns a detector in the normal state with gamma(0).
func newDetector() detector {
	return detector{threshold: thresholdInit, overTime: -1}
}

// detect classifies m given the send delta of the group and its arrival
// time, then adapts gamma.
func (d *detector) detect(m, trend float64, sendDelta, at time.Duration, deltas int) usage {
	now := ms(at)
	switch {
	case deltas < 2:
		d.state = usageNormal
	case m > d.threshold:
		d.over(trend, ms(sendDelta))
	case m < -d.threshold:
		d.overTime, d.overCount, d.state = -1, 0, usageUnder
	default:
		d.overTime, d.overCount, d.state = -1, 0, usageNormal
	}
	d.prevTrend = trend
	d.adapt(m, now)
	return d.state
}

// over accounts one group above gamma: over-use is signalled once m has
// stayed above it for more than 10 ms over at least two groups and the trend
// is not decreasing (§5.4).
func (d *detector) over(trend, sendDelta float64) {
	if d.overTime < 0 {
		d.overTime = sendDelta / 2
	} else {
		d.overTime += sendDelta
	}
	d.overCount++
	if d.overTime > overuseTime && d.overCount >= overuseMinCount && trend >= d.prevTrend {
		d.overTime, d.overCount, d.state = 0, 0, usageOver
	}
}

// adapt moves gamma towards |m|: gamma(i) = gamma(i-1) + dt*K*(|m|-gamma(i-1))
// with K = K_u when |m| > gamma and K_d otherwise (§5.4).
func (d *detector) adapt(m, now float64) {
	if !d.updated {
		d.updated, d.lastUpdate = true, now
	}
	abs := math.Abs(m)
	// Beyond §5.4: while over-use is signalled gamma does not rise, or a
	// slowly growing queue would drag it up and hide itself.
	frozen := d.state == usageOver && abs > d.threshold
	if frozen || abs > d.threshold+maxAdaptOffset || math.IsNaN(abs) {
		d.lastUpdate = now
		return
	}
	k := kDown
	if abs > d.threshold {
		k = kUp
	}
	dt := min(max(now-d.lastUpdate, 0), maxAdaptStep)
	d.threshold += k * (abs - d.threshold) * dt
	d.threshold = min(max(d.threshold, thresholdMin), thresholdMax)
	d.lastUpdate = now
}
