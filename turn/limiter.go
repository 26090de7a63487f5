package turn

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bounds of the per-source limiter's table.
const (
	// maxSources caps the sources tracked at once; beyond it every new
	// source shares one bucket, so a flood from spoofed addresses cannot
	// grow the table.
	maxSources = 1 << 16
	// sourceIdle is how long an untouched source is kept.
	sourceIdle = time.Minute
)

// limiter is a token bucket per source (an IPv4 address, or an IPv6 /64:
// one host usually holds a whole /64) for the requests that carry no
// credentials, and for failed authentications.
type limiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu       sync.Mutex
	sources  map[netip.Addr]*source
	overflow *rate.Limiter
}

type source struct {
	lim  *rate.Limiter
	seen time.Time
}

// newLimiter returns a limiter, or nil (which allows everything) when r is 0.
func newLimiter(r rate.Limit, burst int, now func() time.Time) *limiter {
	if r <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	return &limiter{rate: r, burst: burst, now: now, sources: make(map[netip.Addr]*source),
		overflow: rate.NewLimiter(r, burst)}
}

// allow spends one token of the source's bucket and reports whether there
// was one. A nil limiter allows everything.
func (l *limiter) allow(a net.Addr) bool {
	if l == nil {
		return true
	}
	key := sourceKey(a)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.sources[key]
	if !ok {
		if len(l.sources) >= maxSources {
			return l.overflow.AllowN(now, 1)
		}
		s = &source{lim: rate.NewLimiter(l.rate, l.burst)}
		l.sources[key] = s
	}
	s.seen = now
	return s.lim.AllowN(now, 1)
}

// sweep forgets the sources idle for sourceIdle; their buckets are full
// again by then (for any rate above burst/minute), so nothing is lost.
func (l *limiter) sweep() {
	if l == nil {
		return
	}
	cutoff := l.now().Add(-sourceIdle)
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, s := range l.sources {
		if s.seen.Before(cutoff) {
			delete(l.sources, k)
		}
	}
}

// sourceKey is the bucket a source address belongs to.
func sourceKey(a net.Addr) netip.Addr {
	var ap netip.AddrPort
	switch a := a.(type) {
	case *net.UDPAddr:
		ap = a.AddrPort()
	case *net.TCPAddr:
		ap = a.AddrPort()
	default:
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}
