package whip

import (
	"testing"
	"time"
)

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

// TestPLIScheduleJoin: a joining viewer's request goes out at once, even
// right after a PLI; the interval then runs from it.
func TestPLIScheduleJoin(t *testing.T) {
	t0 := time.Unix(1000, 0)
	s := pliSchedule{interval: time.Second}
	s.pending = true
	if !s.due(t0) {
		t.Fatal("first request not due")
	}
	s.pending, s.join = true, true
	if !s.due(t0.Add(10 * time.Millisecond)) {
		t.Fatal("join 10 ms after a PLI not due at once")
	}
	if s.join {
		t.Fatal("join flag outlived its PLI")
	}
	s.pending = true
	if s.due(t0.Add(1009 * time.Millisecond)) {
		t.Fatal("regular request due within the interval of the join")
	}
	if !s.due(t0.Add(1010 * time.Millisecond)) {
		t.Fatal("regular request not due once the interval after the join passed")
	}
}
