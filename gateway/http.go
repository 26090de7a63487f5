package gateway

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/httpserver"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/gateway/whep"
	"mediagate.dev/mediagate/gateway/whip"
)

const (
	shutdownGrace = 10 * time.Second
	openTimeout   = 5 * time.Second

	// Per-client limits on WHEP (a client is an IP; IPv6 by /64). Generous
	// enough for a wall of players behind one NAT, tight enough that one
	// host cannot fill the gateway with half-open sessions.
	maxSessionsPerIP = 200
	// Of those, the sessions not yet connected (half-open): a client that
	// posts offers and never connects is refused (429) beyond these, and
	// beyond half of a stream's half-open slots (see whep.Handler), before
	// it can fill the stream.
	maxHalfOpenPerIP = 32
	postRatePerIP    = rate.Limit(20)
	postBurstPerIP   = 100
	patchRatePerIP   = rate.Limit(50)
	patchBurstPerIP  = 200

	// Failed authentications of the control API per client: 10 at once,
	// then one every 5 s (429 with Retry-After in between).
	adminFailRate  = rate.Limit(0.2)
	adminFailBurst = 10
)

// listenHTTP binds the HTTP listener (and HTTPS beside it) and builds the
// handlers behind it.
func (g *Gateway) listenHTTP() error {
	ln, err := g.bindHTTP(g.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen: %w", err)
	}
	if g.http, err = httpserver.New(ln, g.cfg.HTTP, g.log.With("component", "http")); err != nil {
		_ = ln.Close()
		return err
	}
	g.whep = g.newWHEP()
	g.apiMetrics = api.NewMetrics(g.reg)
	g.adminThrottle = signal.NewFailureThrottle(adminFailRate, adminFailBurst)
	g.http.SetRoutes(g.newMux())
	return nil
}

// newMux builds the routes for the running config. Every Reload builds them
// again; the handlers that keep state (WHEP sessions) are built once,
// outside, and must not be created here.
func (g *Gateway) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(whep.Prefix, g.whep)
	mux.Handle(whip.Prefix, g.whip)
	h := &api.Handler{
		Hub:            g.hub,
		Bus:            g.bus,
		AdminToken:     g.config().HTTP.AdminToken.Reveal(),
		Gatherer:       g.reg,
		Describe:       g.describe,
		Metrics:        g.apiMetrics,
		Log:            g.log.With("component", "api"),
		Version:        Version,
		StuckLoops:     g.StuckLoops,
		StuckAfter:     LoopStuckAfter,
		FrameAncestors: g.config().HTTP.FrameAncestors,
		AuthThrottle:   g.adminThrottle,
	}
	h.Routes(mux)
	g.senders.Routes(mux, h)
	return mux
}

// newWHEP builds the WHEP handler (POST /whep/<stream>): viewers from
// egress of the hub's streams.
func (g *Gateway) newWHEP() *whep.Handler {
	return &whep.Handler{
		Viewers:       g.egress,
		Streams:       g.hub,
		StreamToken:   g.streamToken,
		TokenValidFor: g.tokenValidFor,
		ICEServers:    g.turn.ICEServers,
		Signal:        g.signalling(g.log.With("component", "whep")),
		Metrics:       whep.NewMetrics(g.reg),
	}
}

// signalling is the HTTP side that WHEP and WHIP share: CORS, body size,
// and the per-client limits.
func (g *Gateway) signalling(log *slog.Logger) signal.Handler {
	return signal.Handler{
		CORSOrigins:      g.cfg.HTTP.CORSOrigins,
		MaxBodyBytes:     g.cfg.HTTP.MaxBodyBytes,
		OpenTimeout:      openTimeout,
		MaxPerIP:         maxSessionsPerIP,
		MaxHalfOpenPerIP: maxHalfOpenPerIP,
		PostRate:         postRatePerIP,
		PostBurst:        postBurstPerIP,
		PatchRate:        patchRatePerIP,
		PatchBurst:       patchBurstPerIP,
		Log:              log,
	}
}

// streamToken reports a configured stream's viewer token.
func (g *Gateway) streamToken(name string) (string, bool) {
	for _, sc := range g.config().Streams {
		if sc.Name == name {
			return sc.ViewerToken.Reveal(), g.hub.Get(name) != nil
		}
	}
	return g.senders.Token(name)
}

// tokenValidFor reports whether token opens some stream (so a request with it
// for another stream is answered 403, not 401).
func (g *Gateway) tokenValidFor(token string) bool {
	for _, sc := range g.config().Streams {
		want := sc.ViewerToken.Reveal()
		if want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1 {
			return true
		}
	}
	return g.senders.TokenValid(token)
}

// describe adds a stream's renditions and its ingest side to its API
// description.
func (g *Gateway) describe(st *stream.Stream) map[string]any {
	out := g.renditions.Describe(st)
	src := g.Source(st.Name)
	if src == nil {
		return out
	}
	if out == nil {
		out = map[string]any{}
	}
	out["listen"] = src.LocalAddr().String()
	if a := src.Latched(); a.IsValid() {
		out["source"] = a.String()
	}
	return out
}
