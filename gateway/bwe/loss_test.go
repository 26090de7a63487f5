package bwe

import (
	"math"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"
)

// TestLossRule checks §6 on sequence-number loss: the first report comes
// after one second; from then on the estimate grows without loss (to the
// 2 R bound of fast recovery, 4 Mbit/s for a 2 Mbit/s sender), holds at 5%
// and falls by p/2 per second at 20%.
func TestLossRule(t *testing.T) {
	tests := []struct {
		name     string
		loss     float64
		min, max float64 // bounds on final/early estimate
		minFinal float64 // bit/s
	}{
		{"no loss grows", 0, 1, 10, 2_500_000},
		{"5% holds", 0.05, 0.95, 1.05, 0},
		{"20% decreases", 0.20, 0.3, 0.75, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := New(Config{MinBitrate: 100_000, MaxBitrate: 6_000_000, StartBitrate: 1_000_000})
				link := &simLink{capacity: func(time.Duration) float64 { return 100e6 },
					delay: 20 * time.Millisecond, loss: tt.loss, rng: rand.New(rand.NewPCG(5, 6))}
				sender := &simSender{rate: func(int) float64 { return 2_000_000 }, fps: 30}
				samples := simulate(e, sender, link, 6*time.Second)
				early := float64(samples[15].estimate) // 1.5 s, after the first report
				final := float64(samples[len(samples)-1].estimate)
				t.Logf("loss %.0f%%: estimate %.0f at 1.5 s, %.0f at 6 s (ratio %.2f)", tt.loss*100, early, final, final/early)
				if r := final / early; r < tt.min || r > tt.max {
					t.Errorf("final/early = %.2f, want within [%.2f, %.2f]", r, tt.min, tt.max)
				}
				if final < tt.minFinal {
					t.Errorf("final estimate %.0f, want at least %.0f", final, tt.minFinal)
				}
			})
		})
	}
}

func TestOnLoss(t *testing.T) {
	tests := []struct {
		name     string
		fraction float64
		want     int
	}{
		{"high loss cuts by half the fraction", 0.2, 900_000},
		{"total loss halves", 1, 500_000},
		{"above one is one", 7, 500_000},
		{"middle band holds", 0.05, 1_000_000},
		{"NaN is ignored", math.NaN(), 1_000_000},
		{"negative is no loss", -1, 1_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := New(Config{StartBitrate: 1_000_000})
				e.OnLoss(tt.fraction, time.Now())
				if got := e.Estimate(time.Now()); got != tt.want {
					t.Errorf("Estimate = %d, want %d", got, tt.want)
				}
			})
		})
	}
}

func TestClamp(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		sendRate  float64
		wantStart int
		min, max  int
	}{
		{"zero config", Config{}, 1e6, DefaultStartBitrate, DefaultMinBitrate, DefaultMaxBitrate},
		{"start above max", Config{MaxBitrate: 500_000, StartBitrate: 900_000}, 3e6, 500_000, DefaultMinBitrate, 500_000},
		{"start below min", Config{MinBitrate: 400_000, StartBitrate: 100_000}, 50e3, 400_000, 400_000, DefaultMaxBitrate},
		{"max below min", Config{MinBitrate: 400_000, MaxBitrate: 100_000}, 1e6, 400_000, 400_000, 400_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := New(tt.cfg)
				if got := e.Estimate(time.Now()); got != tt.wantStart {
					t.Errorf("start estimate %d, want %d", got, tt.wantStart)
				}
				link := &simLink{capacity: func(time.Duration) float64 { return 2e6 },
					delay: 10 * time.Millisecond, rng: rand.New(rand.NewPCG(7, 8))}
				sender := &simSender{rate: func(int) float64 { return tt.sendRate }, fps: 30}
				for _, s := range simulate(e, sender, link, 10*time.Second) {
					if s.estimate < tt.min || s.estimate > tt.max {
						t.Fatalf("t=%v: estimate %d outside [%d, %d]", s.at, s.estimate, tt.min, tt.max)
					}
				}
			})
		})
	}
}

func TestZeroValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var e Estimator
		if got := e.Estimate(time.Now()); got != DefaultStartBitrate {
			t.Fatalf("zero Estimator estimate %d, want %d", got, DefaultStartBitrate)
		}
		if got := e.IncomingRate(time.Now()); got != 0 {
			t.Fatalf("zero Estimator incoming rate %d, want 0", got)
		}
		e.OnPacket(time.Now(), 0, 1200, 1)
		time.Sleep(100 * time.Millisecond)
		e.OnPacket(time.Now(), 100*time.Millisecond, 1200, 2)
		time.Sleep(100 * time.Millisecond)
		if got := e.IncomingRate(time.Now()); got <= 0 {
			t.Fatalf("incoming rate %d after two packets, want > 0", got)
		}
	})
}
