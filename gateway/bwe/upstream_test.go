package bwe

import (
	"testing"
	"time"
)

// TestUpstreamSchedule: the first REMB goes out at once, then one per
// interval (half a tick early rather than late); a drop of 15% or more at
// once, but not within UpstreamDropGap of the last REMB; a rise of 10% or
// more after UpstreamRiseGap; smaller changes wait for the interval.
func TestUpstreamSchedule(t *testing.T) {
	t0 := time.Unix(1000, 0)
	steps := []struct {
		at    time.Duration
		value int
		want  bool
	}{
		{0, 1_000_000, true},
		{250 * time.Millisecond, 1_000_000, false},
		{500 * time.Millisecond, 900_000, false},  // -10%: waits
		{750 * time.Millisecond, 1_500_000, true}, // +50%, 750 ms on: goes out
		{time.Second, 1_500_000, false},
		{1250 * time.Millisecond, 1_200_000, true}, // -20%: at once
		{1500 * time.Millisecond, 1_100_000, false},
		{2250 * time.Millisecond, 1_100_000, true},  // the interval
		{2270 * time.Millisecond, 500_000, false},   // a drop within the drop gap waits
		{2300 * time.Millisecond, 500_000, true},    // ... for 50 ms
		{2400 * time.Millisecond, 1_000_000, false}, // a rise within the rise gap waits
		{2500 * time.Millisecond, 1_000_000, true},  // ... for 200 ms
		{3480 * time.Millisecond, 1_000_000, false},
		{3490 * time.Millisecond, 1_000_000, true}, // half a tick early
	}
	u := NewUpstream(UpstreamConfig{})
	for _, st := range steps {
		now := t0.Add(st.at)
		got := u.Due(st.value, now, UpstreamTick)
		if got != st.want {
			t.Fatalf("at %v value %d: due %v, want %v", st.at, st.value, got, st.want)
		}
		if got {
			u.Sent(st.value, now)
		}
	}
}

// TestUpstreamValue: the REMB carries the lower of the estimate and the
// demand, within the bounds; Reset forgets what was sent.
func TestUpstreamValue(t *testing.T) {
	now := time.Unix(1000, 0)
	u := NewUpstream(UpstreamConfig{Config: Config{MinBitrate: 100_000, MaxBitrate: 6_000_000, StartBitrate: 2_000_000}})
	cases := []struct {
		name    string
		demand  int
		limited bool
		want    int
	}{
		{"no demand", 0, false, 2_000_000},
		{"demand below the estimate", 500_000, true, 500_000},
		{"demand below the floor", 10_000, true, 100_000},
		{"demand above the estimate", 9_000_000, true, 2_000_000},
		{"a demand that says nothing", 300_000, false, 2_000_000},
	}
	for _, c := range cases {
		if got := u.Value(now, c.demand, c.limited); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	u.Sent(500_000, now)
	if u.LastSent() != 500_000 || u.Due(500_000, now.Add(time.Millisecond), UpstreamTick) {
		t.Fatalf("after Sent: last %d, or due again at once", u.LastSent())
	}
	u.Reset()
	if u.LastSent() != 0 || !u.Due(2_000_000, now.Add(time.Millisecond), UpstreamTick) || u.Estimate(now) != 2_000_000 {
		t.Errorf("after Reset: last %d, estimate %d; want nothing sent and the start bitrate", u.LastSent(), u.Estimate(now))
	}
}
