package bwe

import "time"

// Trendline filter parameters. draft-ietf-rmcat-gcc-02 §5.3 specifies a
// Kalman filter for the delay gradient; this package follows libwebrtc's
// successor to it, the trendline estimator, whose output plays the role of
// m(i) in §5.4.
const (
	trendWindow    = 20   // points in the least-squares fit
	trendSmoothing = 0.9  // exponential smoothing of the accumulated delay
	trendGain      = 4.0  // scales the slope into the detector's units
	trendMaxDeltas = 60   // cap on the delta count that scales the slope
	maxDeltaCount  = 1000 // cap on the delta counter itself
)

// trendPoint is one (arrival ms, smoothed accumulated delay ms) sample.
type trendPoint struct{ x, y float64 }

// trendline fits a line to the smoothed accumulated one-way delay variation;
// a positive slope means the queue on the path is growing.
type trendline struct {
	points      [trendWindow]trendPoint
	n, head     int
	deltas      int
	firstAt     float64
	started     bool
	accumulated float64
	smoothed    float64
	trend       float64
}

// update adds one inter-group delta and returns the modified trend m(i) in
// the units of the adaptive threshold.
func (t *trendline) update(d delta) float64 {
	at := ms(d.at)
	if !t.started {
		t.started, t.firstAt = true, at
	}
	t.deltas = min(t.deltas+1, maxDeltaCount)
	t.accumulated += ms(d.arrival) - ms(d.send)
	t.smoothed = trendSmoothing*t.smoothed + (1-trendSmoothing)*t.accumulated
	t.points[t.head] = trendPoint{at - t.firstAt, t.smoothed}
	t.head = (t.head + 1) % trendWindow
	t.n = min(t.n+1, trendWindow)
	if t.n == trendWindow {
		if slope, ok := t.slope(); ok {
			t.trend = slope
		}
	}
	return float64(min(t.deltas, trendMaxDeltas)) * t.trend * trendGain
}

// slope is the least-squares slope of the window, false when all points
// share one x.
func (t *trendline) slope() (float64, bool) {
	var sx, sy float64
	for _, p := range t.points {
		sx += p.x
		sy += p.y
	}
	mx, my := sx/trendWindow, sy/trendWindow
	var num, den float64
	for _, p := range t.points {
		num += (p.x - mx) * (p.y - my)
		den += (p.x - mx) * (p.x - mx)
	}
	if den == 0 {
		return 0, false
	}
	return num / den, true
}

// ms converts a duration to float milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
