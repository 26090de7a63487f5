package bwe

import "time"

// Thinning a viewer to key frames (egress.Viewer.SetKeyframesOnly) is the
// Router's answer to a viewer whose REMB lies below the floor, and a state
// the viewer has to be able to leave. A thinned viewer receives a key frame
// now and then, and a browser's REMB never runs far ahead of what arrives
// (libwebrtc caps it near 1.5 times the incoming rate): its REMB cannot
// climb back above the floor on its own. So a thinned viewer is given a
// trial of the full stream every so often. A browser's estimate climbs
// back by about 8% a second once it sees the full stream (libwebrtc's
// multiplicative increase), so from a thinned viewer's 40 kbit/s the floor
// of 100 is ten seconds away: a trial whose REMB climbed by thinClimb or
// more is extended by another thinTrial, for as long as it climbs. A trial
// that ends with the REMB below the floor and not climbing thins the
// viewer again, and it waits twice as long for the next trial.
const (
	thinProbeFirst = 5 * time.Second  // thinned this long before the first trial
	thinProbeMax   = 60 * time.Second // the longest wait between trials
	thinTrial      = 3 * time.Second  // how long a trial of the full stream lasts
	thinClimb      = 1.1              // the REMB's rise over a trial that extends it
)

// thinning is one viewer's thinning state; the zero value is a viewer that
// is not thinned.
type thinning struct {
	on       bool      // thinned (or on trial)
	trialEnd time.Time // end of the running trial; zero when none runs
	trialBps int       // the REMB when the running trial (or its extension) began
	next     time.Time // start of the next trial
	wait     time.Duration
}

// update files the viewer's REMB bps, and whether it is below the floor,
// at now, and returns whether the viewer gets key frames only.
func (th *thinning) update(below bool, bps int, now time.Time) (keyframesOnly bool) {
	switch {
	case !below:
		*th = thinning{}
		return false
	case !th.on:
		th.on, th.wait = true, thinProbeFirst
		th.next = now.Add(th.wait)
		return true
	case !th.trialEnd.IsZero() && now.Before(th.trialEnd):
		return false // on trial: every frame
	case !th.trialEnd.IsZero() && float64(bps) >= thinClimb*float64(th.trialBps):
		th.trialEnd, th.trialBps = now.Add(thinTrial), bps // climbing: go on
		return false
	case !th.trialEnd.IsZero():
		th.trialEnd = time.Time{} // the trial failed: thin again, wait longer
		th.wait = min(2*th.wait, thinProbeMax)
		th.next = now.Add(th.wait)
		return true
	case !now.Before(th.next):
		th.trialEnd, th.trialBps = now.Add(thinTrial), bps
		return false
	}
	return true
}
