package bwe

import "testing"

// TestLossBased walks the §6 rule through a congested link and its
// recovery, one receiver report at a time.
func TestLossBased(t *testing.T) {
	var l LossBased
	const remb = 1_400_000
	steps := []struct {
		name     string
		lost     float64
		current  float64
		want     float64
		tolerate float64
	}{
		{"no loss does not bind", 0, remb, 0, 0},
		{"30% loss: A(1 - p/2)", 0.30, remb, remb * 0.85, 1},
		{"30% again, from the bound", 0.30, remb * 0.85, remb * 0.85 * 0.85, 1},
		{"5% holds", 0.05, remb * 0.7225, remb * 0.85 * 0.85, 1},
		{"1% grows 5%", 0.01, remb * 0.7225, remb * 0.85 * 0.85 * 1.05, 1},
		{"90% loss stops at half the REMB", 0.90, remb * 0.76, remb / 2, 1},
		{"and again", 0.90, remb / 2, remb / 2, 1},
		{"1% grows 5% again", 0.01, remb / 2, remb / 2 * 1.05, 1},
	}
	for _, s := range steps {
		got := l.Report(s.lost, s.current, remb)
		if d := got - s.want; d > s.tolerate || d < -s.tolerate {
			t.Fatalf("%s: bound %.0f, want %.0f", s.name, got, s.want)
		}
	}
	for range 20 {
		l.Report(0, l.Apply(remb), remb)
	}
	if l.Bound() != 0 || l.Apply(remb) != remb {
		t.Errorf("after 20 clean reports the bound is %.0f; want it lifted at the REMB", l.Bound())
	}
}
