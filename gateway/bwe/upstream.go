package bwe

import "time"

// The one rule for the REMB mediagate sends to a stream's sender, an RTP
// camera (ingest) or a WHIP publisher (whip) alike. Pacing
// (draft-alvestrand-rmcat-remb §2.2 leaves it to the receiver): a drop of
// the value by 15% or more goes out at once, at most every UpstreamDropGap;
// a rise by 10% or more goes out after UpstreamRiseGap, so a sender
// following the estimator's fast recovery is not held back by the periodic
// interval; anything else waits for the interval.
const (
	// DefaultUpstreamInterval is the longest time between two REMBs when
	// UpstreamConfig.Interval is zero.
	DefaultUpstreamInterval = time.Second
	// UpstreamTick is how often a REMB writer asks Upstream.Due, short
	// enough that a drop goes out within UpstreamDropGap.
	UpstreamTick = 25 * time.Millisecond
	// UpstreamDropGap is the least time between a REMB and the next one
	// that reports a drop.
	UpstreamDropGap = 50 * time.Millisecond
	// UpstreamRiseGap is the least time between a REMB and the next one
	// that reports a rise.
	UpstreamRiseGap = 200 * time.Millisecond

	upstreamDropRatio = 0.85
	upstreamRiseRatio = 1.10
)

// UpstreamConfig configures an Upstream. Rates are in bits per second.
type UpstreamConfig struct {
	// Config bounds the estimate and every REMB; zero fields take their
	// Default values.
	Config
	// Interval is the longest time between two REMBs; zero means
	// DefaultUpstreamInterval.
	Interval time.Duration
}

// Upstream is the REMB loop toward one sender: the estimator of its link
// (fed through the embedded Estimator's OnPacket), the value a REMB
// carries, and when one is due. The embedded Estimator is safe for
// concurrent use; Reset, Value, Due, Sent and LastSent are called from one
// goroutine at a time (the writer's).
type Upstream struct {
	*Estimator
	cfg    UpstreamConfig
	sent   int       // value of the last REMB sent; 0 before the first
	sentAt time.Time // when it went out
}

// NewUpstream returns a loop with a fresh estimator at StartBitrate that
// has sent nothing yet.
func NewUpstream(cfg UpstreamConfig) *Upstream {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultUpstreamInterval
	}
	cfg.Config = cfg.Config.normalized()
	u := &Upstream{cfg: cfg}
	u.Reset()
	return u
}

// Reset starts over for a new sender: a fresh estimator at StartBitrate
// and nothing sent.
func (u *Upstream) Reset() {
	u.Estimator = New(u.cfg.Config)
	u.sent, u.sentAt = 0, time.Time{}
}

// Value is what a REMB says at now: the lower of the link estimate and the
// consumers' demand (when limited; see Router.Demand), within the bounds.
// The caller reads the demand before taking any lock of its own.
func (u *Upstream) Value(now time.Time, demand int, limited bool) int {
	v := u.Estimate(now)
	if limited && demand < v {
		v = demand
	}
	return int(u.cfg.clamp(float64(v)))
}

// Due reports whether a REMB of value v should go out at now: the first
// one, one per Interval, and on a drop or a rise as the pacing rules say.
// period is the caller's tick (UpstreamTick or shorter), of which half may
// be spent early rather than a whole one late.
func (u *Upstream) Due(v int, now time.Time, period time.Duration) bool {
	since := now.Sub(u.sentAt)
	switch {
	case u.sent == 0, since >= u.cfg.Interval-period/2:
		return true
	case float64(v) <= upstreamDropRatio*float64(u.sent):
		return since >= UpstreamDropGap
	case float64(v) >= upstreamRiseRatio*float64(u.sent):
		return since >= UpstreamRiseGap
	}
	return false
}

// Sent records a REMB of value v that went out at now.
func (u *Upstream) Sent(v int, now time.Time) { u.sent, u.sentAt = v, now }

// LastSent is the value of the last REMB sent; 0 before the first.
func (u *Upstream) LastSent() int { return u.sent }
