package stream

import (
	"testing"
	"time"
)

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
}
