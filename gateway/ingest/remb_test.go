package ingest

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"mediagate.dev/mediagate/gateway/bwe"
)

var rembBounds = REMBConfig{MinBitrate: 100_000, MaxBitrate: 6_000_000, StartBitrate: 2_000_000, AbsSendTimeID: 3}

// TestREMBPeriodic checks that a sender on an open link gets a REMB at
// least once per Interval, from the source's SSRC for the sender's SSRC,
// in a compound that starts with a receiver report, and that the REMB never
// exceeds the viewers' demand.
func TestREMBPeriodic(t *testing.T) {
	tests := []struct {
		name   string
		absID  uint8
		demand int // 0: no Demand func
		max    int
	}{
		{"abs-send-time", 3, 0, 6_000_000},
		{"RTP timestamps", 0, 0, 6_000_000},
		{"demand caps", 3, 400_000, 400_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := rembBounds
				cfg.AbsSendTimeID = tt.absID
				if tt.demand > 0 {
					cfg.Demand = func() (int, bool) { return tt.demand, true }
				}
				s, rec := socketlessREMB(t, SourceConfig{REMB: &cfg})
				defer s.Close()
				want := min(1e6, float64(tt.max)) // a sender that follows, up to 1 Mbit/s
				rate := func(remb int) float64 {
					if remb == 0 {
						return want
					}
					return min(want, float64(remb))
				}
				sim := &linkSim{src: s, capacity: constant(20e6), rate: rate, rec: rec, absID: tt.absID}
				sim.run(5 * time.Second)
				rembs := rec.all()
				if len(rembs) < 5 || rec.bad > 0 {
					t.Fatalf("%d REMBs in 5 s (%d bad compounds), want at least 5", len(rembs), rec.bad)
				}
				for i, r := range rembs {
					if r.pkt.SenderSSRC != s.ourSSRC || len(r.pkt.SSRCs) != 1 || r.pkt.SSRCs[0] != 0x5eed {
						t.Errorf("REMB %d: sender SSRC %x, media SSRCs %x", i, r.pkt.SenderSSRC, r.pkt.SSRCs)
					}
					if int(r.pkt.Bitrate) > tt.max || int(r.pkt.Bitrate) < 100_000 {
						t.Errorf("REMB %d: %v bit/s outside [100k, %d]", i, r.pkt.Bitrate, tt.max)
					}
					if i > 0 && r.at.Sub(rembs[i-1].at) > time.Second+bwe.UpstreamTick {
						t.Errorf("REMB %d came %v after the previous one", i, r.at.Sub(rembs[i-1].at))
					}
				}
				st := s.REMBStats()
				t.Logf("%d REMBs; stats %+v", len(rembs), st)
				if float64(st.Incoming) < 0.9*want || float64(st.Incoming) > 1.2*want || !st.Follows || st.Sent == 0 {
					t.Errorf("REMBStats = %+v, want about %.0f bit/s incoming, following", st, want)
				}
			})
		})
	}
}

// TestREMBDemandDrop lowers the viewers' demand: the next REMB carries it
// within bwe.UpstreamDropGap, without waiting for the interval.
func TestREMBDemandDrop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var demand atomic.Int64
		demand.Store(3_000_000)
		cfg := rembBounds
		cfg.Demand = func() (int, bool) { return int(demand.Load()), true }
		cfg.Interval = 10 * time.Second
		s, rec := socketlessREMB(t, SourceConfig{REMB: &cfg, ReceiverReportInterval: 10 * time.Second})
		defer s.Close()
		sim := &linkSim{src: s, capacity: constant(20e6), rate: follow(1e6), rec: rec, absID: 3}
		sim.run(2 * time.Second)
		demand.Store(500_000)
		dropped := time.Now()
		sim.run(time.Second)
		var got *sentREMB
		for _, r := range rec.all() {
			if r.at.After(dropped) && r.pkt.Bitrate <= 500_000 {
				got = &r
				break
			}
		}
		if got == nil {
			t.Fatal("no REMB at the lowered demand")
		}
		if d := got.at.Sub(dropped); d > bwe.UpstreamDropGap+bwe.UpstreamTick {
			t.Errorf("REMB at the lowered demand %v after it, want within %v", d, bwe.UpstreamDropGap+bwe.UpstreamTick)
		}
	})
}

// TestREMBLinkCut cuts the link under a sender that follows the REMB:
// the estimate falls below the new capacity within 2 s, and the REMB
// saying so goes out at once (the interval and the receiver reports are
// set far apart, so only the drop rule can send it).
func TestREMBLinkCut(t *testing.T) {
	for _, absID := range []uint8{3, 0} {
		t.Run(map[uint8]string{3: "abs-send-time", 0: "RTP timestamps"}[absID], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := rembBounds
				cfg.AbsSendTimeID = absID
				cfg.Interval = 10 * time.Second
				s, rec := socketlessREMB(t, SourceConfig{REMB: &cfg, ReceiverReportInterval: 10 * time.Second})
				defer s.Close()
				const cut = 4 * time.Second
				sim := &linkSim{src: s, rec: rec, absID: absID, rate: follow(2e6),
					capacity: func(at time.Duration) float64 { return map[bool]float64{true: 3e6, false: 1e6}[at < cut] }}
				sim.run(cut)
				cutAt := time.Now()
				sim.run(3 * time.Second)
				var drop time.Duration = -1
				for _, r := range rec.all() {
					if r.at.After(cutAt) && r.pkt.Bitrate < 1_100_000 {
						drop = r.at.Sub(cutAt)
						break
					}
				}
				t.Logf("REMB below 1.1 Mbit/s %v after the cut; %d REMBs", drop, len(rec.all()))
				if drop < 0 || drop > 2*time.Second {
					t.Fatalf("REMB fell below 1.1 Mbit/s after %v, want within 2 s", drop)
				}
			})
		})
	}
}

// TestREMBFollowMetric tells a sender that follows the REMB from one that
// keeps sending 2 Mbit/s against a 300 kbit/s demand.
func TestREMBFollowMetric(t *testing.T) {
	tests := []struct {
		name    string
		rate    func(int) float64
		follows bool
	}{
		{"follows", follow(1e6), true},
		{"ignores", func(int) float64 { return 2e6 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := rembBounds
				cfg.Demand = func() (int, bool) { return 300_000, true }
				s, rec := socketlessREMB(t, SourceConfig{REMB: &cfg})
				defer s.Close()
				sim := &linkSim{src: s, capacity: constant(20e6), rate: tt.rate, rec: rec, absID: 3}
				sim.run(7 * time.Second)
				st := s.REMBStats()
				ratio, gauge := value(s.met.followRatio), value(s.met.follows)
				t.Logf("stats %+v, follow ratio %.2f, gauge %v", st, ratio, gauge)
				if st.Follows != tt.follows || (gauge == 1) != tt.follows || (ratio <= followTolerance) != tt.follows {
					t.Errorf("Follows %v, gauge %v, ratio %.2f; want follows %v", st.Follows, gauge, ratio, tt.follows)
				}
				if value(s.met.remb) != 300_000 {
					t.Errorf("remb gauge %v, want the demand 300000", value(s.met.remb))
				}
			})
		})
	}
}

// TestREMBResetOnRelatch moves the latch to another sender: the estimate
// starts over at StartBitrate.
func TestREMBResetOnRelatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := rembBounds
		s, rec := socketlessREMB(t, SourceConfig{REMB: &cfg, RelatchAfter: time.Second})
		defer s.Close()
		sim := &linkSim{src: s, capacity: constant(500e3), rate: follow(2e6), rec: rec, absID: 3}
		sim.run(4 * time.Second)
		if est := s.REMBStats().Estimate; est >= 1_000_000 {
			t.Fatalf("estimate %d on a 500 kbit/s link, want below 1 Mbit/s", est)
		}
		time.Sleep(1500 * time.Millisecond)
		other := netip.MustParseAddrPort("127.0.0.1:5010")
		s.handle(rtpBytes(0x80, videoPT, 1, 0x41, 1), other, false, time.Now())
		if s.Latched() != other {
			t.Fatalf("latched to %v, want %v", s.Latched(), other)
		}
		if st := s.REMBStats(); st.Estimate != cfg.StartBitrate || st.Sent != 0 {
			t.Errorf("after re-latching: %+v, want a fresh estimate of %d", st, cfg.StartBitrate)
		}
	})
}
