package transcoder

// frameRate estimates a source's frame rate from its picture timestamps,
// for encoders whose rate control plans with a nominal rate (libx264
// without variable-frame-rate input, which would cost a frame of delay).
type frameRate struct {
	last    uint32
	started bool
	sum     int64 // 90 kHz ticks over n intervals
	n       int
}

// frameRateWindow is how many intervals one estimate averages.
const frameRateWindow = 30

// add records a picture's timestamp; steps that are not plausible frame
// intervals (a restart, a jump, a repeat) are ignored.
func (f *frameRate) add(ts uint32) {
	if f.started {
		if d := int64(int32(ts - f.last)); d > 0 && d <= VideoClockRate {
			if f.n == frameRateWindow {
				f.sum -= f.sum / frameRateWindow
				f.n--
			}
			f.sum += d
			f.n++
		}
	}
	f.started, f.last = true, ts
}

// fps returns the estimate, from 1 to 60, or def before a few intervals.
func (f *frameRate) fps(def int) int {
	if f.n < 5 || f.sum <= 0 {
		return def
	}
	r := int((int64(VideoClockRate)*int64(f.n) + f.sum/2) / f.sum)
	return min(60, max(1, r))
}

// drifted reports whether the estimate moved more than a quarter away from
// the rate an encoder was opened with, once a full window is known.
func (f *frameRate) drifted(encFPS int) bool {
	if f.n < frameRateWindow {
		return false
	}
	d := f.fps(encFPS) - encFPS
	return 4*d > encFPS || -4*d > encFPS
}
