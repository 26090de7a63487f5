package output

import (
	"math"
	"sync"
	"time"
)

// rembState remembers the receiver's latest REMB (draft-alvestrand-rmcat-
// remb §2.2): the bitrate it can take, valid until timeout passes without
// a newer one. The read loop writes it; anyone reads it.
type rembState struct {
	timeout time.Duration

	mu  sync.Mutex
	bps int
	at  time.Time // when bps arrived; zero before the first REMB
}

// set records a REMB bitrate received at now and returns it as an int,
// clamped to what an int holds (REMB's 6-bit exponent reaches 2^81).
func (r *rembState) set(bitrate float32, now time.Time) int {
	bps := 0
	switch f := float64(bitrate); {
	case f >= math.MaxInt32:
		bps = math.MaxInt32
	case f > 0:
		bps = int(f)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bps, r.at = bps, now
	return bps
}

// get returns the bitrate and whether it is still valid at now.
func (r *rembState) get(now time.Time) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at.IsZero() || now.Sub(r.at) > r.timeout {
		return 0, false
	}
	return r.bps, true
}
