package signal

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// FailureThrottle throttles the clients whose requests fail, such as
// failed authentications of the admin API: each failure spends a token of
// the client's bucket (the per-client table of the Handler's limits: an
// IP, IPv6 grouped by /64), and a client with no token left is refused
// before its request is even checked, so guessing a token costs time. A
// nil *FailureThrottle throttles nothing. Its methods are safe for
// concurrent use.
type FailureThrottle struct {
	c *clients
}

// NewFailureThrottle returns a throttle that lets a client fail burst
// times at once and then r times a second.
func NewFailureThrottle(r rate.Limit, burst int) *FailureThrottle {
	return &FailureThrottle{c: &clients{postRate: r, postBurst: burst, m: make(map[string]*client)}}
}

// Wait returns how long the client at remoteAddr (http.Request.RemoteAddr)
// must wait before a request of its is checked again: zero when it may.
func (f *FailureThrottle) Wait(remoteAddr string) time.Duration {
	if f == nil {
		return 0
	}
	now := time.Now()
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	_, e := f.c.get(clientKey(remoteAddr), now)
	if e.post == nil {
		return 0
	}
	tokens := e.post.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - tokens) / float64(e.post.Limit()) * float64(time.Second)))
}

// Failed counts one failure of the client at remoteAddr.
func (f *FailureThrottle) Failed(remoteAddr string) {
	if f == nil {
		return
	}
	f.c.wait(clientKey(remoteAddr), postBucket)
}
