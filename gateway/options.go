package gateway

import (
	"log/slog"
	"net"

	"mediagate.dev/mediagate/gateway/watchdog"
	"mediagate.dev/mediagate/turn"
)

// Option hands New something the process owns rather than the config
// file: a listener systemd passed, the level of the process's logger.
type Option func(*options)

type options struct {
	httpListener net.Listener
	turnSockets  turn.Passed
	logLevel     *slog.LevelVar
}

// WithHTTPListener makes the gateway serve HTTP on ln instead of binding
// http.listen: the listener of a systemd socket unit (socket activation).
// http.listen is then ignored, and the gateway closes ln when it stops.
func WithHTTPListener(ln net.Listener) Option {
	return func(o *options) { o.httpListener = ln }
}

// WithTURNSockets hands the TURN server sockets of a systemd socket unit
// (mediagate-turn.socket): each serves the turn.udp_listen, tcp_listen or
// tls_listen address it is bound to, which the gateway then does not bind
// itself, so that port 443 needs no capability. The TURN server owns them;
// with TURN off, or for an address no listen key names, they are closed.
func WithTURNSockets(p turn.Passed) Option {
	return func(o *options) { o.turnSockets = p }
}

// WithLogLevel lets the gateway apply log.level: New and Reload set v, which
// the caller's slog handler reads, to the level of the config they apply.
func WithLogLevel(v *slog.LevelVar) Option {
	return func(o *options) { o.logLevel = v }
}

// applyOptions records opts and sets up what New and Reload share: the
// media-loop health, the fault-injection switch and the boot config that
// settings needing a restart are compared with. New calls it first.
func (g *Gateway) applyOptions(opts []Option) {
	for _, o := range opts {
		if o != nil {
			o(&g.opts)
		}
	}
	g.health = watchdog.New(g.log.With("component", "health"))
	g.health.SetStall(g.cfg.Debug.StallMediaLoopAfter.D())
	g.reload.boot = g.cfg
	g.setLogLevel(g.cfg.Log.Level)
}

// setLogLevel applies log.level when the caller passed WithLogLevel.
func (g *Gateway) setLogLevel(level string) {
	if g.opts.logLevel == nil {
		return
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err == nil {
		g.opts.logLevel.Set(l)
	}
}

// bindHTTP returns the HTTP listener: the one passed with WithHTTPListener,
// or a new one bound to addr.
func (g *Gateway) bindHTTP(addr string) (net.Listener, error) {
	if ln := g.opts.httpListener; ln != nil {
		g.log.Info("serving HTTP on the socket systemd passed; http.listen is not used",
			"addr", ln.Addr().String())
		return ln, nil
	}
	return net.Listen("tcp", addr)
}
