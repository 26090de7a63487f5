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
		bps   int
		want  bool
		why   string
	}{
		{0, false, 150_000, false, "above the floor"},
		{1 * time.Second, true, 50_000, true, "falls below: thinned"},
		{5 * time.Second, true, 50_000, true, "still waiting for the first trial"},
		{6 * time.Second, true, 50_000, false, "5 s on: a trial of every frame"},
		{8 * time.Second, true, 50_000, false, "during the trial"},
		{9 * time.Second, true, 50_000, true, "trial over, still below: thinned again"},
		{18 * time.Second, true, 50_000, true, "now waiting 10 s"},
		{19 * time.Second, true, 50_000, false, "second trial"},
		{22 * time.Second, true, 50_000, true, "failed again: 20 s"},
		{42 * time.Second, true, 50_000, false, "third trial"},
		{43 * time.Second, false, 150_000, false, "above the floor during the trial: done"},
		{44 * time.Second, true, 50_000, true, "below again starts afresh"},
		{49 * time.Second, true, 50_000, false, "with the first wait of 5 s"},
	}
	for _, s := range steps {
		if got := th.update(s.below, s.bps, t0.Add(s.at)); got != s.want {
			t.Fatalf("at %v (%s): key frames only = %v, want %v", s.at, s.why, got, s.want)
		}
	}
}

// TestThinningTrialClimbing: a trial goes on for as long as the viewer's
// REMB climbs toward the floor, as a browser's estimate does at about 8% a
// second once it sees the full stream again, and ends when it stops.
func TestThinningTrialClimbing(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var th thinning
	steps := []struct {
		at   time.Duration
		bps  int
		want bool
		why  string
	}{
		{0, 40_000, true, "below the floor: thinned"},
		{5 * time.Second, 40_000, false, "the first trial begins at 40 kbit/s"},
		{8 * time.Second, 50_000, false, "climbed 25%: the trial goes on"},
		{11 * time.Second, 62_000, false, "climbed again: on"},
		{14 * time.Second, 64_000, true, "3% is no climb: thinned again"},
		{24 * time.Second, 45_000, false, "the next trial after 10 s"},
		{27 * time.Second, 56_000, false, "climbing"},
		{30 * time.Second, 70_000, false, "climbing"},
		{33 * time.Second, 90_000, false, "climbing"},
	}
	for _, s := range steps {
		if got := th.update(s.bps < 100_000, s.bps, t0.Add(s.at)); got != s.want {
			t.Fatalf("at %v (%s): key frames only = %v, want %v", s.at, s.why, got, s.want)
		}
	}
	if got := th.update(false, 110_000, t0.Add(35*time.Second)); got {
		t.Fatal("above the floor: still thinned")
	}
}
