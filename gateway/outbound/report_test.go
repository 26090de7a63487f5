package outbound

import (
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
)

func TestReportTimes(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	mapped := func() *Rewriter {
		return &Rewriter{ClockRate: 48000, synced: true, started: true, srcSSRC: 5,
			tsOffset: 1000, outTS: 7000, sentAt: now.Add(-time.Second)}
	}
	clock := func(ssrc uint32) *stream.SenderClock {
		return &stream.SenderClock{SSRC: ssrc, NTPTime: 100 << 32, RTPTime: 500, Received: now.Add(-500 * time.Millisecond)}
	}
	for _, c := range []struct {
		name  string
		rw    *Rewriter
		clock *stream.SenderClock
		ntp   uint64
		rtp   uint32
	}{
		// The source's mapping, half a second on, through the offset.
		{"source clock", mapped(), clock(5), 100<<32 + 1<<31, 500 + 1000 + 24000},
		{"clock of another source", mapped(), clock(6), stream.NTPTime(now), 7000 + 48000},
		{"no clock yet", mapped(), nil, stream.NTPTime(now), 7000 + 48000},
		{"mapping lost", func() *Rewriter { r := mapped(); r.Resync(); return r }(), clock(5), stream.NTPTime(now), 7000 + 48000},
	} {
		ntp, rtp := c.rw.ReportTimes(c.clock, now)
		if ntp != c.ntp || rtp != c.rtp {
			t.Errorf("%s: ntp %x rtp %d, want %x %d", c.name, ntp, rtp, c.ntp, c.rtp)
		}
	}
}

func TestNTPDuration(t *testing.T) {
	if got := ntpDuration(1500 * time.Millisecond); got != 1<<32|1<<31 {
		t.Errorf("ntpDuration(1.5s) = %x", got)
	}
}
