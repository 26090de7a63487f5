package signal

import (
	"math"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bounds of the per-client table.
const (
	maxClients      = 1 << 16          // entries before new clients share one
	clientIdleAfter = 10 * time.Minute // an idle entry without sessions is forgotten
	sweepEvery      = time.Minute
	overflowKey     = "overflow"
)

// bucket names a client's token bucket.
type bucket int

const (
	postBucket  bucket = iota // POST, plain OPTIONS on the endpoint
	patchBucket               // PATCH, DELETE
)

// clients holds per-client token buckets and session counts (RFC 9725 §5
// asks for rate limiting of POST, PATCH and DELETE). A client is a remote
// IP; IPv6 addresses are grouped by /64, the block one host usually holds.
type clients struct {
	postRate, patchRate   rate.Limit
	postBurst, patchBurst int
	maxSessions           int

	mu        sync.Mutex
	m         map[string]*client
	lastSweep time.Time
}

// client is one entry of the table.
type client struct {
	post, patch *rate.Limiter // nil = unlimited
	sessions    int           // sessions counted by acquire
	halfOpen    int           // of those, the ones not yet connected
	seen        time.Time
}

// clientKey returns the table key of the request's remote address.
func clientKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().String()
	}
	return addr.String()
}

// newLimiter returns a token bucket, or nil when r means unlimited. A burst
// below one becomes the rate rounded up, at least one.
func newLimiter(r rate.Limit, burst int) *rate.Limiter {
	if r <= 0 || r == rate.Inf {
		return nil
	}
	if burst < 1 {
		burst = max(1, int(math.Ceil(float64(r))))
	}
	return rate.NewLimiter(r, burst)
}

// get returns the entry of key, creating it, and the key it is stored
// under: new clients share one entry once the table is full. c.mu must be
// held.
func (c *clients) get(key string, now time.Time) (string, *client) {
	if now.Sub(c.lastSweep) > sweepEvery {
		c.sweep(now)
	}
	e := c.m[key]
	if e == nil {
		if len(c.m) >= maxClients {
			key = overflowKey
			e = c.m[key]
		}
	}
	if e == nil {
		e = &client{
			post:  newLimiter(c.postRate, c.postBurst),
			patch: newLimiter(c.patchRate, c.patchBurst),
		}
		c.m[key] = e
	}
	e.seen = now
	return key, e
}

// sweep forgets idle entries without sessions; c.mu must be held.
func (c *clients) sweep(now time.Time) {
	c.lastSweep = now
	for k, e := range c.m {
		if e.sessions == 0 && now.Sub(e.seen) > clientIdleAfter {
			delete(c.m, k)
		}
	}
}

// wait spends one token of key's bucket b. It returns zero when the
// request may proceed, otherwise how long the client should wait.
func (c *clients) wait(key string, b bucket) time.Duration {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	_, e := c.get(key, now)
	lim := e.post
	if b == patchBucket {
		lim = e.patch
	}
	if lim == nil {
		return 0
	}
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// acquire counts a new session of key, not yet connected, refusing it
// (errClientSessions, errClientHalfOpen) when the client is at its cap of
// sessions or has halfOpenCap sessions not yet connected (0: no cap). The
// caller must call connected once the session is, or is dropped, and
// release when it ends; an entry with sessions is never swept, so the key
// stays valid until then.
func (c *clients) acquire(key string, halfOpenCap int) (string, error) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	key, e := c.get(key, now)
	if c.maxSessions > 0 && e.sessions >= c.maxSessions {
		return key, errClientSessions
	}
	if halfOpenCap > 0 && e.halfOpen >= halfOpenCap {
		return key, errClientHalfOpen
	}
	e.sessions++
	e.halfOpen++
	return key, nil
}

// connected uncounts a half-open session of a key returned by acquire.
func (c *clients) connected(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[key]; e != nil && e.halfOpen > 0 {
		e.halfOpen--
	}
}

// release uncounts a session of a key returned by acquire, after connected.
func (c *clients) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[key]; e != nil && e.sessions > 0 {
		e.sessions--
		e.seen = time.Now()
	}
}
