package bwe

import (
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// aggStep is one step of an aggregator scenario: after sleeping wait on the
// bubble's clock, viewer id reports bps (id "" reports nothing, bps < 0
// removes the viewer), then Value must lie within [lo, hi] (hi 0: ok must
// be false).
type aggStep struct {
	wait   time.Duration
	id     string
	bps    int
	lo, hi int
}

func TestAggregator(t *testing.T) {
	cfg := AggregatorConfig{Min: 200_000, Max: 3_000_000, Smoothing: time.Second, Expiry: 3 * time.Second}
	tests := []struct {
		name  string
		steps []aggStep
	}{
		{"no report", []aggStep{{0, "", 0, 0, 0}}},
		{"one viewer", []aggStep{{0, "a", 1_000_000, 1_000_000, 1_000_000}}},
		{"minimum of viewers", []aggStep{
			{0, "a", 2_000_000, 2_000_000, 2_000_000},
			{0, "b", 800_000, 800_000, 800_000},
			{0, "c", 1_500_000, 800_000, 800_000}}},
		{"drop applies at once", []aggStep{
			{0, "a", 2_000_000, 2_000_000, 2_000_000},
			{500 * time.Millisecond, "a", 600_000, 600_000, 600_000}}},
		{"rise is smoothed", []aggStep{
			{0, "a", 1_000_000, 1_000_000, 1_000_000},
			{0, "a", 2_000_000, 1_000_000, 1_000_000},
			// 1 - e^-1 of the way after one time constant.
			{time.Second, "", 0, 1_600_000, 1_660_000},
			{2 * time.Second, "a", 2_000_000, 1_940_000, 2_000_000}}},
		{"clamped to max", []aggStep{{0, "a", 9_000_000, 3_000_000, 3_000_000}}},
		{"clamped to min", []aggStep{{0, "a", 50_000, 200_000, 200_000}}},
		{"report expires", []aggStep{
			{0, "a", 1_000_000, 1_000_000, 1_000_000},
			{2999 * time.Millisecond, "", 0, 1_000_000, 1_000_000},
			{time.Millisecond, "", 0, 0, 0}}},
		{"expired minimum lets the rest rise slowly", []aggStep{
			{0, "a", 2_000_000, 2_000_000, 2_000_000},
			{0, "b", 500_000, 500_000, 500_000},
			{2 * time.Second, "a", 2_000_000, 500_000, 500_000},
			{time.Second, "", 0, 500_000, 500_000},
			{time.Second, "", 0, 1_400_000, 1_500_000}}},
		{"removed viewer no longer counts", []aggStep{
			{0, "a", 2_000_000, 2_000_000, 2_000_000},
			{0, "b", 800_000, 800_000, 800_000},
			{0, "b", -1, 800_000, 800_000},
			{10 * time.Second, "a", 2_000_000, 2_000_000, 2_000_000}}},
		// A viewer below a quarter of the median does not count: one
		// viewer's poor link does not set the bitrate for the others.
		{"far below the other does not count", []aggStep{
			{0, "a", 1_500_000, 1_500_000, 1_500_000},
			{0, "b", 1_000, 1_500_000, 1_500_000},
			{0, "b", 370_000, 1_500_000, 1_500_000},
			{0, "b", 380_000, 380_000, 380_000}}},
		{"far below the median of many", []aggStep{
			{0, "a", 1_000_000, 1_000_000, 1_000_000},
			{0, "b", 1_200_000, 1_000_000, 1_000_000},
			{0, "c", 100_000, 1_000_000, 1_000_000},
			{0, "d", 240_000, 1_000_000, 1_000_000}, // below 1/4 of the upper median, 1000000
			{0, "d", 260_000, 260_000, 260_000}}},
		{"a majority of low viewers sets it", []aggStep{
			{0, "a", 2_000_000, 2_000_000, 2_000_000},
			{0, "b", 400_000, 2_000_000, 2_000_000}, // one of two, far below
			{0, "c", 400_000, 400_000, 400_000}}},
		{"far below expires like any report", []aggStep{
			{0, "a", 1_500_000, 1_500_000, 1_500_000},
			{0, "b", 600_000, 600_000, 600_000},
			{2 * time.Second, "a", 1_500_000, 600_000, 600_000},
			{time.Second, "", 0, 600_000, 600_000}, // b's report ends now
			{2 * time.Second, "a", 1_500_000, 1_350_000, 1_500_000}}},
		{"non-positive report ignored", []aggStep{{0, "a", 0, 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := NewAggregator(cfg)
				for i, s := range tt.steps {
					time.Sleep(s.wait)
					switch {
					case s.id == "":
					case s.bps < 0:
						a.Remove(s.id)
					default:
						a.Update(s.id, s.bps, time.Now())
					}
					got, ok := a.Value(time.Now())
					if s.hi == 0 {
						if ok {
							t.Fatalf("step %d: Value = %d, true; want no value", i, got)
						}
						continue
					}
					if !ok || got < s.lo || got > s.hi {
						t.Fatalf("step %d: Value = %d, %v; want within [%d, %d]", i, got, ok, s.lo, s.hi)
					}
				}
			})
		})
	}
}

// TestAggregatorSmoothingIndependentOfPolling checks that reading Value
// often or rarely gives the same rise.
func TestAggregatorSmoothingIndependentOfPolling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		often, rarely := NewAggregator(AggregatorConfig{}), NewAggregator(AggregatorConfig{})
		for _, a := range []*Aggregator{often, rarely} {
			a.Update("v", 500_000, time.Now())
			a.Update("v", 4_000_000, time.Now())
		}
		for range 100 {
			time.Sleep(10 * time.Millisecond)
			often.Value(time.Now())
		}
		x, _ := often.Value(time.Now())
		y, _ := rarely.Value(time.Now())
		if d := x - y; d < -1000 || d > 1000 {
			t.Fatalf("polled every 10 ms: %d, polled once: %d", x, y)
		}
	})
}

func TestAggregatorBelow(t *testing.T) {
	tests := []struct {
		name string
		min  int
		bps  int
		wait time.Duration
		want bool
	}{
		{"below the floor", 300_000, 100_000, 0, true},
		{"at the floor", 300_000, 300_000, 0, false},
		{"above the floor", 300_000, 900_000, 0, false},
		{"no floor", 0, 300_000, 0, false},
		{"far below the other", 100_000, 200_000, 0, true},
		{"no floor, far below the other", 0, 10_000, 0, true},
		{"expired", 300_000, 100_000, 4 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a := NewAggregator(AggregatorConfig{Min: tt.min})
				a.Update("low", tt.bps, time.Now())
				a.Update("high", 1_000_000, time.Now())
				time.Sleep(tt.wait)
				if got := a.Below("low", time.Now()); got != tt.want {
					t.Errorf("Below(low) = %v, want %v", got, tt.want)
				}
				if a.Below("high", time.Now()) || a.Below("unknown", time.Now()) {
					t.Error("Below true for a viewer above the floor or unknown")
				}
				if v, ok := a.Value(time.Now()); tt.wait == 0 && (!ok || v < tt.min) {
					t.Errorf("Value = %d, %v; want at least the floor %d", v, ok, tt.min)
				}
			})
		})
	}
}

// TestAggregatorConcurrentUse updates, removes and reads from several
// goroutines; run with -race.
func TestAggregatorConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAggregator(AggregatorConfig{Min: 100_000, Max: 5_000_000})
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				id := fmt.Sprint("viewer", g)
				for i := range 200 {
					a.Update(id, 100_000*(i%40+1), time.Now())
					a.Value(time.Now())
					a.Below(id, time.Now())
					if i%50 == 49 {
						a.Remove(id)
					}
					time.Sleep(5 * time.Millisecond)
				}
			})
		}
		wg.Wait()
	})
}
