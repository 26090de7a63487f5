package ingest

import "time"

// Whether the sender follows the REMB it gets: once a second the incoming
// rate is compared with the REMB in force, and the ratios of the last
// followWindow seconds are averaged. The REMB in force is the larger of the
// one sent now and the one sent a second ago, so a sender has a second to
// react to a drop before it counts against it.
const (
	followSample = time.Second
	followWindow = 5
	// followTolerance is how far above the REMB a following sender may
	// run: the estimator's own probing and a second's reaction time.
	followTolerance = 1.15
)

// followMeter keeps the last followWindow incoming/REMB ratios. Guarded by
// Source.mu.
type followMeter struct {
	ratios   [followWindow]float64
	n, next  int
	prevREMB int
	at       time.Time
}

// sample records one ratio when a sample is due and a REMB has gone out.
func (f *followMeter) sample(now time.Time, incoming, remb int) {
	if remb <= 0 || (!f.at.IsZero() && now.Sub(f.at) < followSample) {
		return
	}
	limit := max(remb, f.prevREMB)
	if f.at.IsZero() {
		limit = remb
	}
	f.at, f.prevREMB = now, remb
	f.ratios[f.next] = float64(incoming) / float64(limit)
	f.next = (f.next + 1) % followWindow
	f.n = min(f.n+1, followWindow)
}

// ratio is the average incoming/REMB ratio over the window, 0 without
// samples.
func (f *followMeter) ratio() float64 {
	if f.n == 0 {
		return 0
	}
	var sum float64
	for _, r := range f.ratios[:f.n] {
		sum += r
	}
	return sum / float64(f.n)
}

// follows reports whether the sender stayed within followTolerance of the
// REMB over the window; true before any REMB has gone out.
func (f *followMeter) follows() bool { return f.ratio() <= followTolerance }

// updateFollow samples the follow meter and refreshes its metrics. Called
// with s.mu held.
func (s *Source) updateFollow(now time.Time, incoming int) {
	r := s.remb
	r.follow.sample(now, incoming, r.up.LastSent())
	s.met.followRatio.Set(r.follow.ratio())
	if r.follow.follows() {
		s.met.follows.Set(1)
	} else {
		s.met.follows.Set(0)
	}
}

// REMBStats is a snapshot of a source's REMB loop. Rates are in bits per
// second.
type REMBStats struct {
	// Estimate is the link estimate of the ingest leg.
	Estimate int
	// Sent is the value of the last REMB sent; 0 before the first.
	Sent int
	// Incoming is the rate measured from the sender over the last 500 ms.
	Incoming int
	// Follows is false when the sender kept sending more than the REMB
	// allowed over the last five seconds (see mediagate_ingest_sender_follows_remb).
	Follows bool
}

// REMBStats returns the source's REMB loop as it stands; the zero value
// when REMB is off.
func (s *Source) REMBStats() REMBStats {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.remb
	if r == nil {
		return REMBStats{}
	}
	return REMBStats{Estimate: r.up.Estimate(now), Sent: r.up.LastSent(), Incoming: r.up.IncomingRate(now),
		Follows: r.follow.follows()}
}
