package turn

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Limits on the server's TCP and TLS connections.
const (
	// maxConnsPerSource caps one source's open connections.
	maxConnsPerSource = 64
	// connIdle closes a connection that sent nothing this long. A client
	// with an allocation refreshes permissions every few minutes (RFC
	// 8656 §9: they last 300 s) and an ICE agent checks consent every few
	// seconds (RFC 7675 §5.1).
	connIdle = 5 * time.Minute
)

// tcpGuard wraps the server's TCP listener: it refuses a source's new
// connections over its unauthenticated rate or beyond maxConnsPerSource,
// and closes idle connections, which also bounds a TLS handshake.
type tcpGuard struct {
	net.Listener
	lim       *limiter
	m         *Metrics
	transport string

	mu     sync.Mutex
	conns  map[netip.Addr]int
	open   map[*idleConn]bool
	closed bool
}

func newTCPGuard(ln net.Listener, lim *limiter, m *Metrics, transport string) *tcpGuard {
	return &tcpGuard{Listener: ln, lim: lim, m: m, transport: transport,
		conns: make(map[netip.Addr]int), open: make(map[*idleConn]bool)}
}

// Accept returns the next connection the limits admit. It rides out
// failures other than a closed listener (out of file descriptors, say),
// backing off as net/http does: pion's accept loop ends at the first error.
func (g *tcpGuard) Accept() (net.Conn, error) {
	var backoff time.Duration
	for {
		c, err := g.Listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil, err
		}
		if err != nil {
			g.m.requestErrors.Inc()
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !g.lim.allow(c.RemoteAddr()) {
			g.m.rateLimited.WithLabelValues(g.transport).Inc()
			_ = c.Close()
			continue
		}
		if ic := g.track(c); ic != nil {
			return ic, nil
		}
	}
}

// track registers a new connection, or closes it (and returns nil) when
// its source holds maxConnsPerSource already or the guard is closed.
func (g *tcpGuard) track(c net.Conn) *idleConn {
	key := sourceKey(c.RemoteAddr())
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.conns[key] >= maxConnsPerSource {
		g.m.rateLimited.WithLabelValues(g.transport).Inc()
		_ = c.Close()
		return nil
	}
	g.conns[key]++
	ic := &idleConn{Conn: c}
	ic.release = func() { g.untrack(key, ic) }
	g.open[ic] = true
	return ic
}

func (g *tcpGuard) untrack(key netip.Addr, ic *idleConn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.open, ic)
	if g.conns[key]--; g.conns[key] <= 0 {
		delete(g.conns, key)
	}
}

// closeConns closes every open connection (pion closes its listeners on
// Close, not the connections they accepted) and refuses new ones.
func (g *tcpGuard) closeConns() {
	g.mu.Lock()
	g.closed = true
	open := make([]*idleConn, 0, len(g.open))
	for ic := range g.open {
		open = append(open, ic)
	}
	g.mu.Unlock()
	for _, ic := range open {
		_ = ic.Close()
	}
}

// idleConn moves its read deadline forward on every read, and releases its
// slot once when closed.
type idleConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Read implements net.Conn.
func (c *idleConn) Read(b []byte) (int, error) {
	if err := c.SetReadDeadline(time.Now().Add(connIdle)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

// Close implements net.Conn.
func (c *idleConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
