package signal

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Defaults used when the corresponding Handler field is zero.
const (
	// DefaultMaxBodyBytes caps request bodies (64 KiB is plenty for an
	// offer with every candidate).
	DefaultMaxBodyBytes = 64 << 10
	// DefaultMaxCandidates caps the remote candidates of one ICE session.
	DefaultMaxCandidates = 64
	// DefaultOpenTimeout bounds Open and Restart, ICE gathering included.
	DefaultOpenTimeout = 10 * time.Second
	// DefaultRetryAfter is the Retry-After of 503 answers and of the
	// per-client session cap.
	DefaultRetryAfter = 5 * time.Second
)

// Media types of WHIP and WHEP bodies.
const (
	// SDPContentType is the media type of offers and answers (RFC 9725 §4.2).
	SDPContentType = "application/sdp"
	// SDPFragContentType is the media type of trickle ICE and ICE restart
	// bodies (RFC 8840 §9; RFC 9725 §4.3.1).
	SDPFragContentType = "application/trickle-ice-sdpfrag"
)

// Header values of the CORS protocol and of Allow.
const (
	corsMethods   = "POST, PATCH, DELETE, OPTIONS, GET, HEAD"
	corsHeaders   = "Authorization, Content-Type, If-Match"
	corsExpose    = "Location, ETag, Link, Accept-Patch"
	corsMaxAge    = 2 * time.Hour
	allowEndpoint = "POST, OPTIONS, GET, HEAD"
	allowSession  = "PATCH, DELETE, OPTIONS, GET, HEAD"
)

// Handler serves one RFC 9725 endpoint at Path: POST <Path><stream>
// creates a session through Open, PATCH and DELETE <Path><stream>/<id>
// update and end it. gateway/whep mounts it at /whep/ for viewers and
// gateway/whip at /whip/ for publishers. Set the fields before the first
// request and do not change them afterwards; the zero value serves (every
// stream exists without a token, no limits) but has no Open and answers
// every POST 503.
type Handler struct {
	// Name is the endpoint's protocol, "whep" or "whip": it starts the
	// log lines that say what failed ("whip open refused") and names the
	// default Path. Empty means "signal".
	Name string
	// Path is the path the handler is mounted at, ending in "/"; empty
	// means "/" + Name + "/". Session URLs are Path + stream + "/" + id.
	Path string
	// Open creates the session for an offer and returns it with the SDP
	// answer, which must carry every server candidate (RFC 9725 §4.3.2).
	// Its errors are answered through Classify.
	Open Opener
	// StreamToken reports whether stream exists and its bearer token (""
	// = no token needed). nil: every stream exists and needs no token.
	StreamToken func(stream string) (token string, exists bool)
	// TokenValidFor reports whether token is the bearer token of some
	// stream, which turns a 401 into a 403. nil: never.
	TokenValidFor func(token string) bool
	// ICEServers returns the Link header values (`<turn:…>; rel="ice-server";
	// …`, RFC 9725 §4.6) for a 201 or a plain OPTIONS. nil: none.
	ICEServers func(r *http.Request, stream string) []string
	// CORSOrigins are the origins browsers may call from; "*" allows all.
	CORSOrigins []string
	// MaxBodyBytes caps request bodies (413); 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxCandidates caps the remote candidates of one ICE session, offer
	// or restart fragment plus trickled ones (413); 0 means
	// DefaultMaxCandidates.
	MaxCandidates int
	// MaxPerIP caps the concurrent sessions of one client (429); 0 means
	// unlimited.
	MaxPerIP int
	// MaxHalfOpenPerIP caps one client's half-open sessions, those whose
	// client has not connected yet (see Connector): 429 over it. 0 means
	// no cap of its own; with MaxHalfOpen a client still gets at most half
	// of a stream's.
	MaxHalfOpenPerIP int
	// MaxHalfOpen returns the cap on stream's half-open sessions (503 over
	// it; 0 = no cap). nil: no cap.
	MaxHalfOpen func(stream string) int
	// PostRate and PostBurst are each client's token bucket for POST and
	// plain OPTIONS on the endpoint (429); a zero rate means unlimited, a
	// zero burst the rate rounded up.
	PostRate  rate.Limit
	PostBurst int
	// PatchRate and PatchBurst are each client's bucket for PATCH and DELETE.
	PatchRate  rate.Limit
	PatchBurst int
	// OpenTimeout bounds Open and Restart; 0 means DefaultOpenTimeout.
	OpenTimeout time.Duration
	// RetryAfter is sent with 503 and with the per-client session cap; 0
	// means DefaultRetryAfter.
	RetryAfter time.Duration
	// Log receives the handler's logs, each with endpoint=Name; nil
	// discards them.
	Log *slog.Logger
	// Metrics records requests and sessions; nil records nothing.
	Metrics *Metrics

	once     sync.Once
	name     string
	log      *slog.Logger
	cors     CORS
	clients  *clients
	halfOpen halfOpenTable
	closed   atomic.Bool
	quit     chan struct{}
	mu       sync.Mutex
	sessions map[string]*session
	wg       sync.WaitGroup
}

// init resolves defaults and builds the internal state once.
func (h *Handler) init() {
	h.name = h.Name
	if h.name == "" {
		h.name = "signal"
	}
	h.log = h.Log
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.log = h.log.With("endpoint", h.name)
	h.cors = CORS{Origins: h.CORSOrigins, Methods: corsMethods, Headers: corsHeaders,
		Expose: corsExpose, MaxAge: corsMaxAge}
	h.clients = &clients{
		postRate: h.PostRate, postBurst: h.PostBurst,
		patchRate: h.PatchRate, patchBurst: h.PatchBurst,
		maxSessions: h.MaxPerIP, m: make(map[string]*client),
	}
	h.halfOpen.m = make(map[string]int)
	h.quit = make(chan struct{})
	h.sessions = make(map[string]*session)
}

// ServeHTTP routes a request under Path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.init)
	sw := &statusWriter{ResponseWriter: w}
	h.cors.AddHeaders(sw.Header(), r)
	stream, id, ok := splitPath(h.path(), r.URL.Path)
	switch {
	case IsPreflight(r):
		h.preflight(sw, r)
	case !ok:
		WriteProblem(sw, http.StatusNotFound, "no such resource")
	case id == "":
		h.serveEndpoint(sw, r, stream)
	default:
		h.serveSession(sw, r, stream, id)
	}
	h.Metrics.request(r.Method, sw.code())
	if id != "" {
		id = PublicID(id)
	}
	h.log.Debug("request", "method", escape(r.Method), "stream", escape(stream),
		"session", id, "status", sw.code())
}

// path returns the mount path: Path, or "/" + Name + "/".
func (h *Handler) path() string {
	if h.Path == "" {
		return "/" + h.name + "/"
	}
	return h.Path
}

// splitPath splits mount + "<stream>[/<id>]".
func splitPath(mount, path string) (stream, id string, ok bool) {
	rest, ok := strings.CutPrefix(path, mount)
	if !ok {
		return "", "", false
	}
	stream, id, hasID := strings.Cut(rest, "/")
	if stream == "" || (hasID && id == "") || strings.Contains(id, "/") {
		return "", "", false
	}
	return stream, id, true
}
