package bwe

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Aggregator defaults used for AggregatorConfig fields left at zero.
const (
	// DefaultExpiry is how long a viewer's REMB counts without a refresh.
	// Chrome sends REMB about once a second, so three missed reports end it.
	DefaultExpiry = 3 * time.Second
	// DefaultSmoothing is the time constant with which the aggregate
	// follows a rise of the lowest report.
	DefaultSmoothing = time.Second
	// DefaultFarBelow is the share of the viewers' median REMB below which
	// one viewer's REMB no longer counts for the aggregate.
	DefaultFarBelow = 0.25
)

// AggregatorConfig bounds and paces an Aggregator. Rates are in bits per
// second.
type AggregatorConfig struct {
	// Min is the floor of the aggregate; a viewer whose own REMB lies below
	// it cannot drag the aggregate further down (see Aggregator.Below).
	// Zero means no floor.
	Min int
	// Max is the ceiling of the aggregate; zero means no ceiling.
	Max int
	// Smoothing is the time constant of the exponential moving average
	// with which the aggregate rises towards the lowest live report; zero
	// means DefaultSmoothing. Drops are not smoothed.
	Smoothing time.Duration
	// Expiry is how long a report counts without being refreshed; zero
	// means DefaultExpiry.
	Expiry time.Duration
	// FarBelow is the share of the median of the live reports (the upper
	// median: with two viewers, the higher report) below which a report
	// is far below the others: it does not count for the aggregate, and
	// Below reports it, so that one viewer with a poor link is thinned
	// instead of setting the shared encoder, or the camera, for everyone.
	// Zero means DefaultFarBelow; a negative value turns the rule off.
	FarBelow float64
}

// report is one viewer's latest REMB.
type report struct {
	bps int
	at  time.Time
}

// Aggregator combines the REMB of the viewers of one rendition into the one
// bitrate the rendition may use: the minimum over the live reports,
// smoothed so that a shared encoder does not oscillate, and clamped to the
// stream's bounds. A drop of the minimum applies at once, since it means a
// viewer's link is congested now; a rise is followed with an exponential
// moving average of time constant Smoothing, since it means only that a
// viewer's estimator is probing. All methods are safe for concurrent use.
type Aggregator struct {
	mu      sync.Mutex
	cfg     AggregatorConfig
	reports map[string]report
	value   float64 // the smoothed aggregate before clamping
	at      time.Time
	has     bool
}

// NewAggregator returns an Aggregator with no reports.
func NewAggregator(cfg AggregatorConfig) *Aggregator {
	if cfg.Smoothing <= 0 {
		cfg.Smoothing = DefaultSmoothing
	}
	if cfg.Expiry <= 0 {
		cfg.Expiry = DefaultExpiry
	}
	if cfg.FarBelow == 0 {
		cfg.FarBelow = DefaultFarBelow
	}
	if cfg.Max > 0 && cfg.Max < cfg.Min {
		cfg.Max = cfg.Min
	}
	return &Aggregator{cfg: cfg, reports: make(map[string]report)}
}

// Update records viewer id's REMB of bps bits per second received at now.
// A non-positive bps is ignored.
func (a *Aggregator) Update(id string, bps int, now time.Time) {
	if bps <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.advance(now)
	a.reports[id] = report{bps: bps, at: now}
	if lowest, ok := a.lowest(); ok && (!a.has || float64(lowest) < a.value) {
		a.value, a.at, a.has = float64(lowest), now, true
	}
}

// Remove forgets viewer id, for a viewer that left.
func (a *Aggregator) Remove(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.reports, id)
}

// Value returns the aggregate at now, clamped to [Min, Max], and false when
// no viewer has a live report.
func (a *Aggregator) Value(now time.Time) (bps int, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.advance(now)
	if !a.has {
		return 0, false
	}
	v := math.Max(a.value, float64(a.cfg.Min))
	if a.cfg.Max > 0 {
		v = math.Min(v, float64(a.cfg.Max))
	}
	return int(v), true
}

// Below reports whether viewer id's own live REMB lies below Min or far
// below the other viewers' (FarBelow): the aggregate does not follow it
// there, so that viewer alone must make do with less (keyframes only, or
// lost frames).
func (a *Aggregator) Below(id string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	r, ok := a.reports[id]
	return ok && a.live(r, now) && (r.bps < a.cfg.Min || float64(r.bps) < a.cutoff())
}

// advance moves the smoothed aggregate from its last update to now. Each
// report that expired in between is taken out at its own expiry, so a rise
// starts when the lower report ended, not when it was noticed. Called with
// a.mu held.
func (a *Aggregator) advance(now time.Time) {
	for {
		at, ok := a.nextExpiry(now)
		if !ok {
			break
		}
		a.moveTo(at)
		for id, r := range a.reports {
			if !a.live(r, at) {
				delete(a.reports, id)
			}
		}
	}
	a.moveTo(now)
}

// moveTo moves the smoothed aggregate to time t, towards the lowest report:
// a drop at once, a rise by the EWMA's share of the time elapsed. Called
// with a.mu held, with every report live until t.
func (a *Aggregator) moveTo(t time.Time) {
	lowest, ok := a.lowest()
	if !ok {
		a.has = false
		return
	}
	target := float64(lowest)
	switch dt := t.Sub(a.at); {
	case !a.has || target <= a.value:
		a.value = target
	case dt > 0:
		a.value += (target - a.value) * (1 - math.Exp(-dt.Seconds()/a.cfg.Smoothing.Seconds()))
	default:
		return // time did not move: a.at stays where the rise started
	}
	a.at, a.has = t, true
}

// nextExpiry returns the earliest time at or before now at which a report
// expires. Called with a.mu held.
func (a *Aggregator) nextExpiry(now time.Time) (time.Time, bool) {
	var first time.Time
	found := false
	for _, r := range a.reports {
		if end := r.at.Add(a.cfg.Expiry); !end.After(now) && (!found || end.Before(first)) {
			first, found = end, true
		}
	}
	return first, found
}

// lowest returns the lowest report that is not far below the others.
// Called with a.mu held.
func (a *Aggregator) lowest() (int, bool) {
	cutoff := a.cutoff()
	lowest, ok := 0, false
	for _, r := range a.reports {
		if float64(r.bps) < cutoff {
			continue
		}
		if !ok || r.bps < lowest {
			lowest, ok = r.bps, true
		}
	}
	return lowest, ok
}

// cutoff is the bitrate below which a report is far below the others:
// FarBelow times the upper median of the reports, or 0 with fewer than two
// reports or the rule off. The median itself never lies below it, so some
// report always counts. Called with a.mu held.
func (a *Aggregator) cutoff() float64 {
	if a.cfg.FarBelow < 0 || len(a.reports) < 2 {
		return 0
	}
	rates := make([]int, 0, len(a.reports))
	for _, r := range a.reports {
		rates = append(rates, r.bps)
	}
	slices.Sort(rates)
	return a.cfg.FarBelow * float64(rates[len(rates)/2])
}

// live reports whether r still counts at now.
func (a *Aggregator) live(r report, now time.Time) bool {
	return now.Sub(r.at) < a.cfg.Expiry
}
