package testpattern

import (
	"math"
	"time"

	"mediagate.dev/mediagate/transcoder"
)

// Tone generates the test pattern's audio at 48 kHz: a 440 Hz sine, and a
// 1 kHz beep for the first tenth of every second. It is used by one
// goroutine.
type Tone struct {
	channels int
	buf      []int16
}

// NewTone returns a tone of 1 or 2 channels.
func NewTone(channels int) *Tone {
	return &Tone{channels: min(2, max(1, channels))}
}

// Channels returns the number of interleaved channels.
func (t *Tone) Channels() int { return t.channels }

// Samples returns n samples per channel starting at sample index start
// (48 kHz since the pattern started), interleaved; the slice is reused by
// the next call.
func (t *Tone) Samples(start int64, n int) []int16 {
	t.buf = t.buf[:0]
	const rate = transcoder.OpusClockRate
	for i := range int64(n) {
		s := start + i
		freq := 440.0
		if s%rate < rate/10 {
			freq = 1000
		}
		v := int16(0.2 * math.MaxInt16 * math.Sin(2*math.Pi*freq*float64(s)/rate))
		for range t.channels {
			t.buf = append(t.buf, v)
		}
	}
	return t.buf
}

// SampleIndex returns the index of the sample played at elapsed time d.
func SampleIndex(d time.Duration) int64 {
	return int64(d) * transcoder.OpusClockRate / int64(time.Second)
}
