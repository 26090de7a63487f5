package bwe

import (
	"testing"
	"time"
)

// TestThinningTrials walks one viewer through thinning, failed trials with
// a growing wait, and recovery.
func TestThinningTrials(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var th thinning
	steps := []struct {
		at    time.Duration
		below bool
		want  bool
		why   string
	}{
		{0, false, false, "above the floor"},
		{1 * time.Second, true, true, "falls below: thinned"},
		{5 * time.Second, true, true, "still waiting for the first trial"},
		{6 * time.Second, true, false, "5 s on: a trial of every frame"},
		{8 * time.Second, true, false, "during the trial"},
		{9 * time.Second, true, true, "trial over, still below: thinned again"},
		{18 * time.Second, true, true, "now waiting 10 s"},
		{19 * time.Second, true, false, "second trial"},
		{22 * time.Second, true, true, "failed again: 20 s"},
		{42 * time.Second, true, false, "third trial"},
		{43 * time.Second, false, false, "above the floor during the trial: done"},
		{44 * time.Second, true, true, "below again starts afresh"},
		{49 * time.Second, true, false, "with the first wait of 5 s"},
	}
	for _, s := range steps {
		if got := th.update(s.below, t0.Add(s.at)); got != s.want {
			t.Fatalf("at %v (%s): key frames only = %v, want %v", s.at, s.why, got, s.want)
		}
	}
}
