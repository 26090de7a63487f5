package bwe

import (
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"
)

// stepCapacity returns a capacity of caps[i] bits/s from steps[i] on.
func stepCapacity(steps []time.Duration, caps []float64) func(time.Duration) float64 {
	return func(at time.Duration) float64 {
		c := caps[0]
		for i, s := range steps {
			if at >= s {
				c = caps[i]
			}
		}
		return c
	}
}

// firstAfter returns the offset from `from` of the first sample at or after
// from that satisfies ok, or -1.
func firstAfter(samples []simSample, from time.Duration, ok func(simSample) bool) time.Duration {
	for _, s := range samples {
		if s.at >= from && ok(s) {
			return s.at - from
		}
	}
	return -1
}

func logSamples(t *testing.T, samples []simSample) {
	t.Helper()
	for i, s := range samples {
		if i%5 == 0 {
			t.Logf("t=%5.1fs cap=%4.0fk est=%5dk in=%5dk", s.at.Seconds(), s.capacity/1000, s.estimate/1000, s.incoming/1000)
		}
	}
}

func TestSteadyLink(t *testing.T) {
	synctest.Test(t, testSteadyLink)
}

func testSteadyLink(t *testing.T) {
	e := New(Config{MinBitrate: 100_000, MaxBitrate: 6_000_000, StartBitrate: 4_000_000})
	link := &simLink{capacity: func(time.Duration) float64 { return 4_000_000 },
		delay: 20 * time.Millisecond, jitter: 500 * time.Microsecond, rng: rand.New(rand.NewPCG(1, 2))}
	sender := &simSender{rate: func(int) float64 { return 4_000_000 }, fps: 30}
	samples := simulate(e, sender, link, 20*time.Second)
	logSamples(t, samples)
	for _, s := range samples {
		if s.estimate < 3_600_000 {
			t.Fatalf("t=%v: estimate %d below 3.6 Mbps on an unqueued 4 Mbps link", s.at, s.estimate)
		}
	}
}

// TestCutAndRecover drives a sender that follows the estimate every 100 ms
// over a link capped at 4 Mbit/s, cut to 1 Mbit/s, then restored. The cut and
// the restore fall at different points of the estimator's probing cycle
// (shift) and the jitter differs (seed).
func TestCutAndRecover(t *testing.T) {
	type result struct{ drop, up time.Duration }
	var worst result
	for seed := uint64(1); seed <= 4; seed++ {
		for _, shift := range []time.Duration{0, 400 * time.Millisecond, 900 * time.Millisecond, 1700 * time.Millisecond} {
			cut, restore := 5*time.Second+shift, 20*time.Second+2*shift
			e := New(Config{MinBitrate: 100_000, MaxBitrate: 6_000_000, StartBitrate: 2_000_000})
			link := &simLink{
				capacity: stepCapacity([]time.Duration{0, cut, restore}, []float64{4e6, 1e6, 4e6}),
				delay:    20 * time.Millisecond, jitter: 2 * time.Millisecond, rng: rand.New(rand.NewPCG(seed, 4)),
			}
			sender := &simSender{rate: func(est int) float64 { return float64(est) }, fps: 30}
			var samples []simSample
			synctest.Test(t, func(*testing.T) { samples = simulate(e, sender, link, restore+8*time.Second) })
			if seed == 1 && shift == 0 {
				logSamples(t, samples)
			}
			drop := firstAfter(samples, cut, func(s simSample) bool { return s.estimate < 1_100_000 })
			up := firstAfter(samples, restore, func(s simSample) bool { return s.estimate >= 3_600_000 })
			t.Logf("seed %d shift %v: below 1.1 Mbit/s %v after the cut, 3.6 Mbit/s %v after the restore", seed, shift, drop, up)
			if drop < 0 || drop > 2*time.Second {
				t.Errorf("seed %d shift %v: estimate fell below 1.1 Mbit/s after %v, want within 2s", seed, shift, drop)
			}
			if up < 0 || up > 5*time.Second {
				t.Errorf("seed %d shift %v: estimate regained 3.6 Mbit/s after %v, want within 5s", seed, shift, up)
			}
			worst = result{max(worst.drop, drop), max(worst.up, up)}
		}
	}
	t.Logf("worst: below 1.1 Mbit/s %v after the cut, 90%% of 4 Mbit/s %v after the restore", worst.drop, worst.up)
}
