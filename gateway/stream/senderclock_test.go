package stream

import (
	"testing"
	"time"
)

func TestReportTimes(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	mapped := func() *Rewriter {
		return &Rewriter{ClockRate: 48000, synced: true, started: true, srcSSRC: 5,
			tsOffset: 1000, outTS: 7000, sentAt: now.Add(-time.Second)}
	}
	clock := func(ssrc uint32) *SenderClock {
		return &SenderClock{SSRC: ssrc, NTPTime: 100 << 32, RTPTime: 500, Received: now.Add(-500 * time.Millisecond)}
	}
	for _, c := range []struct {
		name  string
		rw    *Rewriter
		clock *SenderClock
		ntp   uint64
		rtp   uint32
	}{
		// The source's mapping, half a second on, through the offset.
		{"source clock", mapped(), clock(5), 100<<32 + 1<<31, 500 + 1000 + 24000},
		{"clock of another source", mapped(), clock(6), NTPTime(now), 7000 + 48000},
		{"no clock yet", mapped(), nil, NTPTime(now), 7000 + 48000},
		{"mapping lost", func() *Rewriter { r := mapped(); r.Resync(); return r }(), clock(5), NTPTime(now), 7000 + 48000},
	} {
		ntp, rtp := c.rw.ReportTimes(c.clock, now)
		if ntp != c.ntp || rtp != c.rtp {
			t.Errorf("%s: ntp %x rtp %d, want %x %d", c.name, ntp, rtp, c.ntp, c.rtp)
		}
	}
}

func TestNTPTime(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want uint64
	}{
		{time.Unix(0, 0), ntpEpochOffset << 32},
		{time.Unix(1, 500_000_000), (ntpEpochOffset+1)<<32 | 1<<31},
		{time.Unix(1_700_000_000, 250_000_000), (ntpEpochOffset+1_700_000_000)<<32 | 1<<30},
	} {
		if got := NTPTime(c.t); got != c.want {
			t.Errorf("NTPTime(%v) = %x, want %x", c.t, got, c.want)
		}
	}
	if got := ntpDuration(1500 * time.Millisecond); got != 1<<32|1<<31 {
		t.Errorf("ntpDuration(1.5s) = %x", got)
	}
}
