package transcoder

// PTSClock turns 32-bit RTP timestamps, which wrap and may jump when a
// source restarts, into the strictly increasing 64-bit timestamps encoders
// require (libvpx and libx264 refuse time going backwards). The zero value
// is ready; it is used by one goroutine.
type PTSClock struct {
	started bool
	last    uint32
	now     int64
}

// maxPTSStep bounds the step between two pictures taken from their
// timestamps: a larger one (or a step back) is a source restart, counted
// as one nominal frame.
const maxPTSStep = 10 * VideoClockRate

// Next returns the 64-bit timestamp of a picture with RTP timestamp ts;
// nominal is the step used when ts does not advance sanely.
func (c *PTSClock) Next(ts uint32, nominal int64) int64 {
	if !c.started {
		c.started, c.last = true, ts
		return c.now
	}
	step := int64(int32(ts - c.last))
	if step <= 0 || step > maxPTSStep {
		step = max(nominal, 1)
	}
	c.last = ts
	c.now += step
	return c.now
}
