package whip

import (
	"testing"
	"time"
)

// TestREMBSchedule: the first REMB goes out at once, then one a second,
// and at once when the value falls below 85% of the last one sent.
func TestREMBSchedule(t *testing.T) {
	t0 := time.Unix(1000, 0)
	steps := []struct {
		at    time.Duration
		value int
		want  bool
	}{
		{0, 1_000_000, true},
		{250 * time.Millisecond, 1_000_000, false},
		{500 * time.Millisecond, 900_000, false},   // -10%: waits
		{750 * time.Millisecond, 1_500_000, false}, // a rise waits too
		{time.Second, 1_500_000, true},
		{1250 * time.Millisecond, 1_200_000, true}, // -20%: at once
		{1500 * time.Millisecond, 1_100_000, false},
		{2250 * time.Millisecond, 1_100_000, true},
	}
	var s rembSchedule
	for _, st := range steps {
		now := t0.Add(st.at)
		got := s.due(now, st.value)
		if got != st.want {
			t.Fatalf("at %v value %d: due %v, want %v", st.at, st.value, got, st.want)
		}
		if got {
			s.sent(now, st.value)
		}
	}
}

// TestPLISchedule: requests within the interval are coalesced into one PLI
// sent when the interval ends.
func TestPLISchedule(t *testing.T) {
	t0 := time.Unix(1000, 0)
	steps := []struct {
		at      time.Duration
		request bool
		want    bool
	}{
		{0, false, false},
		{10 * time.Millisecond, true, true},
		{20 * time.Millisecond, true, false},
		{30 * time.Millisecond, true, false},
		{500 * time.Millisecond, false, false},
		{1010 * time.Millisecond, false, true}, // the coalesced request
		{1020 * time.Millisecond, false, false},
		{3000 * time.Millisecond, true, true},
	}
	s := pliSchedule{interval: time.Second}
	for _, st := range steps {
		if st.request {
			s.pending = true
		}
		if got := s.due(t0.Add(st.at)); got != st.want {
			t.Fatalf("at %v: due %v, want %v", st.at, got, st.want)
		}
	}
}
