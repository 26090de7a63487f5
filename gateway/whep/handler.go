package whep

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/stream"
)

// Prefix is the path Handler is mounted at; session URLs are
// Prefix + stream + "/" + id.
const Prefix = "/whep/"

// Viewers opens viewer sessions; *egress.Manager is one.
type Viewers interface {
	NewViewer(ctx context.Context, req egress.ViewerRequest) (*egress.Viewer, string, error)
}

// Streams finds a stream by name; *stream.Hub is one.
type Streams interface {
	Get(name string) *stream.Stream
}

// Handler serves WHEP at Prefix: POST /whep/<stream> with an SDP offer
// opens a viewer, PATCH /whep/<stream>/<id> trickles candidates or restarts
// ICE, DELETE ends the session. Set the fields before the first request and
// do not change them afterwards.
type Handler struct {
	// Viewers opens the viewer sessions. Without it every POST that passes
	// the checks is answered 503.
	Viewers Viewers
	// Streams finds the stream a viewer watches.
	Streams Streams
	// StreamToken reports whether stream exists and its viewer token (""
	// = no token needed). nil: every stream exists and needs no token.
	StreamToken func(stream string) (token string, exists bool)
	// TokenValidFor reports whether token is the viewer token of some
	// stream, which turns a 401 into a 403. nil: never.
	TokenValidFor func(token string) bool
	// ICEServers returns the Link header values (`<turn:…>;
	// rel="ice-server"; …`, RFC 9725 §4.6) of a 201 and of a plain OPTIONS.
	// nil: none.
	ICEServers func(r *http.Request, stream string) []string
	// Signal holds the rest of the HTTP settings: CORSOrigins,
	// MaxBodyBytes, MaxCandidates, MaxPerIP, MaxHalfOpenPerIP, PostRate,
	// PostBurst, PatchRate, PatchBurst, OpenTimeout, RetryAfter and Log.
	// Handler sets its Name, Path, Open, StreamToken, TokenValidFor,
	// ICEServers, Metrics and MaxHalfOpen (a quarter of the stream's
	// max_viewers, at least 4).
	Signal signal.Handler
	// Metrics records requests and sessions (NewMetrics); nil records
	// nothing.
	Metrics *signal.Metrics

	once sync.Once
}

// init wires Signal to the viewers.
func (h *Handler) init() {
	s := &h.Signal
	s.Name = "whep"
	s.Path = Prefix
	s.Open = h
	s.StreamToken = h.StreamToken
	s.TokenValidFor = h.TokenValidFor
	s.ICEServers = h.ICEServers
	s.Metrics = h.Metrics
	s.MaxHalfOpen = h.maxHalfOpen
}

// Bounds of a stream's half-open viewers, those that POSTed an offer and
// have not connected yet: a quarter of the stream's max_viewers, at least
// minHalfOpen, so that connecting viewers never hold most of a stream.
const (
	halfOpenShare = 4
	minHalfOpen   = 4
)

// maxHalfOpen is the cap on stream's half-open viewers: max_viewers /
// halfOpenShare, at least minHalfOpen; 0 (none) for a stream without
// max_viewers.
func (h *Handler) maxHalfOpen(name string) int {
	if h.Streams == nil {
		return 0
	}
	st := h.Streams.Get(name)
	if st == nil || st.MaxViewers <= 0 {
		return 0
	}
	return max(minHalfOpen, st.MaxViewers/halfOpenShare)
}

// ServeHTTP serves /whep/<stream>[/<id>] with the signalling engine.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.init)
	h.Signal.ServeHTTP(w, r)
}

// Sessions returns the number of registered viewer sessions.
func (h *Handler) Sessions() int {
	h.once.Do(h.init)
	return h.Signal.Sessions()
}

// Close closes every viewer session and refuses new ones with 503.
func (h *Handler) Close() {
	h.once.Do(h.init)
	h.Signal.Close()
}

// Open opens a viewer of the request's stream with the offer the engine
// parsed: it is Signal's Opener. Its errors wrap ErrNoStream, ErrNoViewers
// or egress's sentinels, which signal.Classify answers.
func (h *Handler) Open(ctx context.Context, req signal.OpenRequest) (signal.Session, string, error) {
	var st *stream.Stream
	if h.Streams != nil {
		st = h.Streams.Get(req.Stream)
	}
	if st == nil {
		return nil, "", fmt.Errorf("%q: %w", req.Stream, ErrNoStream)
	}
	if h.Viewers == nil {
		return nil, "", ErrNoViewers
	}
	v, answer, err := h.Viewers.NewViewer(ctx, egress.ViewerRequest{
		ID: req.ID, Stream: st, Offer: req.Offer, Description: req.Description, Remote: req.Remote,
	})
	if err != nil {
		return nil, "", err
	}
	return v, answer, nil
}
