package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/ratelog"
)

// Handler serves the control API, the event stream, metrics, the health check
// and the player pages. Set its fields, then call Routes once; the fields must
// not change afterwards. A Handler must not be copied after first use.
type Handler struct {
	// Hub holds the streams the API lists and the pages show.
	Hub *stream.Hub
	// Bus is the event bus streamed at /api/v1/events.
	Bus *event.Bus
	// AdminToken is the bearer token of /api/v1. Empty refuses the API
	// with 403.
	AdminToken string
	// Gatherer supplies /metrics; nil serves prometheus.DefaultGatherer.
	Gatherer prometheus.Gatherer
	// Describe, when set, adds fields to a stream's JSON object (for example
	// the latched source). It cannot replace the fields the API itself sets.
	Describe func(s *stream.Stream) map[string]any
	// Metrics counts SSE clients and refused requests; nil counts nothing.
	Metrics *Metrics
	// Log receives the handler's logs, already scoped by the caller; nil
	// discards them.
	Log *slog.Logger
	// Version is the build version reported by /healthz.
	Version string
	// AuthThrottle throttles the clients whose admin tokens fail (429 with
	// Retry-After); nil throttles nothing. It outlives the Handler, which
	// every reload builds again, so the caller builds it once.
	AuthThrottle *signal.FailureThrottle
	// StuckLoops names the media loops that stopped (the watchdog's view);
	// /healthz answers 503 while it names any. Nil checks nothing.
	StuckLoops func() []string
	// StuckAfter is how long a loop may stay silent before StuckLoops
	// names it, as /healthz tells.
	StuckAfter time.Duration
	// FrameAncestors are the origins allowed to embed the player pages
	// (CSP frame-ancestors); empty allows none.
	FrameAncestors []string

	refusals *ratelog.Logger // refused requests, at most one line a second
}

// Routes registers the handler's endpoints on mux. WHEP and WHIP register
// their own paths on the same mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /healthz", secure(http.HandlerFunc(h.serveHealth)))
	mux.Handle("GET /metrics", secure(h.metricsHandler()))
	mux.Handle("GET /api/v1/streams", secure(h.admin(h.serveStreams)))
	mux.Handle("GET /api/v1/streams/{name}", secure(h.admin(h.serveStream)))
	mux.Handle("GET /api/v1/events", secure(h.admin(h.serveEvents)))
	mux.Handle("GET /{$}", h.securePage(http.HandlerFunc(h.serveIndex)))
	mux.Handle("GET /view/{name}", h.securePage(http.HandlerFunc(h.serveView)))
	mux.Handle("GET /static/{file}", secure(http.HandlerFunc(serveStatic)))
}

// contentSecurityPolicy lets the pages load scripts, styles, images and
// fetches from their own origin only, and nothing else (CSP Level 3).
// form-action 'none' also stops the token form from ever being submitted
// natively, which would put the token in a URL: the player handles it.
// frame-ancestors follows: the pages that may embed these (§6.4.2).
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; media-src 'self' blob: mediastream:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors "

// csp is the pages' Content-Security-Policy: frame-ancestors lists
// FrameAncestors (validated by the config: no character in them can end
// the directive), or 'none'.
func (h *Handler) csp() string {
	if len(h.FrameAncestors) == 0 {
		return contentSecurityPolicy + "'none'"
	}
	return contentSecurityPolicy + strings.Join(h.FrameAncestors, " ")
}

// secure sets the headers every response carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// securePage adds the headers of an HTML page to secure's.
func (h *Handler) securePage(next http.Handler) http.Handler {
	csp := h.csp()
	return secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	}))
}

func (h *Handler) metricsHandler() http.Handler {
	g := h.Gatherer
	if g == nil {
		g = prometheus.DefaultGatherer
	}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:      promLogger{h.logger()},
		ErrorHandling: promhttp.ContinueOnError,
	})
}

func (h *Handler) logger() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

// promLogger adapts slog to promhttp's error logger.
type promLogger struct{ log *slog.Logger }

func (l promLogger) Println(v ...any) { l.log.Warn("metrics gathering", "error", v) }
