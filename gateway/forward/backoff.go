package forward

import (
	"math/rand/v2"
	"time"
)

// backoff is the wait before the next attempt after a failure: it starts
// at min, doubles with each failure up to max, and is spread by jitter
// (a uniform draw from half to the whole of it), so that gateways that
// lost the same server do not come back in step. The zero value waits
// nothing; reset after a success.
type backoff struct {
	min, max time.Duration
	next     time.Duration
}

// wait returns the delay before the next attempt and doubles the one
// after it.
func (b *backoff) wait() time.Duration {
	if b.next < b.min {
		b.next = b.min
	}
	d := b.next
	b.next = min(2*b.next, b.max)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// reset starts the doubling over.
func (b *backoff) reset() { b.next = 0 }
