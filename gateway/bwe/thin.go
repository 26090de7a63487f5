package bwe

import "time"

// Thinning a viewer to key frames (egress.Viewer.SetKeyframesOnly) is the
// Router's answer to a viewer whose REMB lies below the floor, and a state
// the viewer has to be able to leave. A thinned viewer receives a key frame
// now and then, and a browser's REMB never runs far ahead of what arrives
// (libwebrtc caps it near 1.5 times the incoming rate): its REMB cannot
// climb back above the floor on its own. So a thinned viewer is given a
// trial of the full stream every so often; if its REMB is still below the
// floor when the trial ends, it is thinned again and waits twice as long
// for the next trial.
const (
	thinProbeFirst = 5 * time.Second  // thinned this long before the first trial
	thinProbeMax   = 60 * time.Second // the longest wait between trials
	thinTrial      = 3 * time.Second  // how long a trial of the full stream lasts
)

// thinning is one viewer's thinning state; the zero value is a viewer that
// is not thinned.
type thinning struct {
	on       bool      // thinned (or on trial)
	trialEnd time.Time // end of the running trial; zero when none runs
	next     time.Time // start of the next trial
	wait     time.Duration
}

// update files whether the viewer's REMB is below the floor at now and
// returns whether it gets key frames only.
func (th *thinning) update(below bool, now time.Time) (keyframesOnly bool) {
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
	case !th.trialEnd.IsZero():
		th.trialEnd = time.Time{} // the trial failed: thin again, wait longer
		th.wait = min(2*th.wait, thinProbeMax)
		th.next = now.Add(th.wait)
		return true
	case !now.Before(th.next):
		th.trialEnd = now.Add(thinTrial)
		return false
	}
	return true
}
