package whip

import (
	"context"
	"net/http"
	"sync"

	"mediagate.dev/mediagate/gateway/signal"
)

// Prefix is the path Handler is mounted at; session URLs are
// Prefix + stream + "/" + id.
const Prefix = "/whip/"

// Handler serves WHIP (RFC 9725) at Prefix: POST /whip/<stream> with an SDP
// offer publishes, PATCH /whip/<stream>/<id> trickles candidates or
// restarts ICE, DELETE ends the publication. Set the fields before the
// first request and do not change them afterwards.
type Handler struct {
	// Publishers creates the publishing sessions. Without it every POST
	// is answered 503.
	Publishers *Manager
	// Lookup returns the WHIP stream of a name; false for an unknown
	// stream or one whose source is not WHIP (404).
	Lookup func(stream string) (Target, bool)
	// TokenValidFor reports whether token is the publish token of some
	// stream, which turns a 401 into a 403. nil: never.
	TokenValidFor func(token string) bool
	// ICEServers returns the Link header values (RFC 9725 §4.6) of a 201
	// and of a plain OPTIONS. nil: none.
	ICEServers func(r *http.Request, stream string) []string
	// Signal holds the rest of the HTTP settings: CORSOrigins,
	// MaxBodyBytes, MaxCandidates, MaxPerIP, PostRate, PostBurst,
	// PatchRate, PatchBurst, OpenTimeout, RetryAfter and Log. Handler sets
	// its Name, Path, Open, StreamToken, TokenValidFor and ICEServers; its
	// Metrics are Metrics' request counters.
	Signal signal.Handler
	// Metrics records requests and publishers; nil records nothing.
	Metrics *Metrics

	once sync.Once
}

// init wires Signal to the publishers.
func (h *Handler) init() {
	s := &h.Signal
	s.Name = "whip"
	s.Path = Prefix
	s.Open = h
	s.StreamToken = h.publishToken
	s.TokenValidFor = h.TokenValidFor
	s.ICEServers = h.ICEServers
	s.Metrics = h.Metrics.requests()
}

// ServeHTTP serves /whip/<stream>[/<id>] with the signalling engine.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.init)
	h.Signal.ServeHTTP(w, r)
}

// Close ends every publisher and refuses new ones with 503.
func (h *Handler) Close() {
	h.once.Do(h.init)
	h.Signal.Close()
}

// publishToken reports whether a WHIP stream exists and its token. A stream
// without a token is treated as absent: WHIP never publishes unauthenticated.
func (h *Handler) publishToken(stream string) (string, bool) {
	if h.Lookup == nil {
		return "", false
	}
	t, ok := h.Lookup(stream)
	if !ok || t.PublishToken == "" {
		return "", false
	}
	return t.PublishToken, true
}

// Open publishes an offer: it is Signal's Opener. Its errors wrap the
// package's sentinels, which signal.Classify answers.
func (h *Handler) Open(ctx context.Context, req signal.OpenRequest) (signal.Session, string, error) {
	if h.Publishers == nil {
		return nil, "", ErrClosed
	}
	t, ok := h.Lookup(req.Stream)
	if !ok {
		return nil, "", ErrNoStream
	}
	p, answer, err := h.Publishers.Publish(ctx, PublishRequest{ID: req.ID, Target: t, Offer: req.Offer,
		Description: req.Description, Remote: req.Remote})
	if err != nil {
		return nil, "", err
	}
	return p, answer, nil
}
