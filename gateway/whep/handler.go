package whep

import (
	"context"
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
	// Prefix is the path the handler is mounted at; session URLs are
	// Prefix + stream + "/" + id.
	Prefix = "/whep/"
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

// Media types of WHEP bodies.
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

// Session is one viewer session, as Open returns it (gateway/egress).
type Session interface {
	// AddCandidate adds a trickled remote candidate: the attribute without
	// "a=" ("candidate:1 1 udp …") and the mid of its m= section (the
	// answer's first mid when the player gave none). An error is logged and
	// the candidate dropped; the PATCH still succeeds (RFC 9725 §4.3.2).
	AddCandidate(candidate, mid string) error
	// Restart performs an ICE restart (RFC 8445 §9) with the player's new
	// credentials and candidates (attributes as for AddCandidate),
	// replacing the remote candidate set, and returns the server's new
	// credentials and every local candidate, gathered completely, each
	// with or without the "candidate:" or "a=candidate:" prefix.
	// On error the existing ICE session must stay as it was.
	Restart(ctx context.Context, ufrag, pwd string, candidates []string) (localUfrag, localPwd string, localCandidates []string, err error)
	// Close ends the session; it is idempotent.
	Close()
	// Done is closed when the session has ended, for whatever reason.
	Done() <-chan struct{}
}

// OpenRequest is what Open needs to create a session.
type OpenRequest struct {
	// ID is the session ID, the last segment of the session URL. It is a
	// capability: whoever knows it can end the session.
	ID string
	// Stream is the stream name from the URL.
	Stream string
	// Offer is the player's SDP offer, syntax-checked only.
	Offer string
	// Remote is the client's address (http.Request.RemoteAddr).
	Remote string
}

// Handler serves WHEP at Prefix: POST /whep/<stream> creates a session,
// PATCH and DELETE /whep/<stream>/<id> update and end it. Set the fields
// before the first request and do not change them afterwards; the zero
// value serves (every stream exists without a token, no limits) but has no
// Open and answers every POST 503.
type Handler struct {
	// Path is the path the handler is mounted at, ending in "/"; empty
	// means Prefix. Session URLs are Path + stream + "/" + id. WHIP mounts
	// the same machinery at /whip/.
	Path string
	// Open creates the session for an offer and returns it with the SDP
	// answer, which must carry every server candidate (RFC 9725 §4.3.2).
	// ctx bounds only the setup; the session outlives it.
	Open func(ctx context.Context, req OpenRequest) (Session, string, error)
	// StreamToken reports whether stream exists and its viewer token (""
	// = no token needed). nil: every stream exists and needs no token.
	StreamToken func(stream string) (token string, exists bool)
	// TokenValidFor reports whether token is the viewer token of some
	// stream, which turns a 401 into a 403. nil: never.
	TokenValidFor func(token string) bool
	// Classify maps an error of Open or Restart to an HTTP status (400
	// bad offer, 422 unacceptable, 503 capacity, …); 0 or anything outside
	// 400-599 means 500. nil: 500, except that an expired OpenTimeout is 503.
	Classify func(err error) int
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
	// Log receives the handler's logs; nil discards them.
	Log *slog.Logger
	// Metrics records requests and sessions; nil records nothing.
	Metrics *Metrics

	once     sync.Once
	log      *slog.Logger
	cors     CORS
	clients  *clients
	closed   atomic.Bool
	quit     chan struct{}
	mu       sync.Mutex
	sessions map[string]*session
	wg       sync.WaitGroup
}

// init resolves defaults and builds the internal state once.
func (h *Handler) init() {
	h.log = h.Log
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.cors = CORS{Origins: h.CORSOrigins, Methods: corsMethods, Headers: corsHeaders,
		Expose: corsExpose, MaxAge: corsMaxAge}
	h.clients = &clients{
		postRate: h.PostRate, postBurst: h.PostBurst,
		patchRate: h.PatchRate, patchBurst: h.PatchBurst,
		maxSessions: h.MaxPerIP, m: make(map[string]*client),
	}
	h.quit = make(chan struct{})
	h.sessions = make(map[string]*session)
}

// ServeHTTP routes a request under Prefix.
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
	h.log.Debug("request", "method", escape(r.Method), "stream", escape(stream),
		"session", shortID(id), "status", sw.code())
}

// path returns the mount path: Path, or Prefix.
func (h *Handler) path() string {
	if h.Path == "" {
		return Prefix
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

// preflight answers a CORS preflight: 204 with the CORS headers for an
// allowed origin, never 401 and never Link headers (RFC 9725 §4.6 and
// §4.7.1; draft-ietf-wish-whep asks for Accept-Post on OPTIONS).
func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	h.cors.AddPreflight(w.Header(), r)
	w.Header().Set("Accept-Post", SDPContentType)
	w.Header().Set("Allow", corsMethods)
	w.WriteHeader(http.StatusNoContent)
}

// serveEndpoint handles requests on /whep/<stream>.
func (h *Handler) serveEndpoint(w http.ResponseWriter, r *http.Request, stream string) {
	switch r.Method {
	case http.MethodPost:
		h.post(w, r, stream)
	case http.MethodOptions:
		h.options(w, r, stream)
	case http.MethodGet, http.MethodHead:
		// RFC 9725 §4.1: GET answers 2xx with no content; HEAD answers
		// 200 with the media type a POST takes (WHEP URL discoverability).
		if _, exists := h.streamToken(stream); !exists {
			WriteProblem(w, http.StatusNotFound, "no such stream")
			return
		}
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Type", SDPContentType)
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		h.notAllowed(w, allowEndpoint)
	}
}

// options answers a plain (non-preflight) OPTIONS on the endpoint with
// Accept-Post and the ice-server Link headers, after the token check,
// since the links may carry TURN credentials (RFC 9725 §4.6).
func (h *Handler) options(w http.ResponseWriter, r *http.Request, stream string) {
	if !h.admit(w, r, stream) {
		return
	}
	w.Header().Set("Accept-Post", SDPContentType)
	w.Header().Set("Allow", allowEndpoint)
	h.addICEServers(w.Header(), r, stream)
	w.WriteHeader(http.StatusNoContent)
}

// notAllowed answers 405 with the Allow header (RFC 9110 §15.5.6).
func (h *Handler) notAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	WriteProblem(w, http.StatusMethodNotAllowed, "method not allowed")
}

// streamToken wraps StreamToken with its nil default.
func (h *Handler) streamToken(stream string) (string, bool) {
	if h.StreamToken == nil {
		return "", true
	}
	return h.StreamToken(stream)
}

// addICEServers adds the Link headers of ICEServers.
func (h *Handler) addICEServers(hdr http.Header, r *http.Request, stream string) {
	if h.ICEServers == nil {
		return
	}
	for _, link := range h.ICEServers(r, stream) {
		hdr.Add("Link", link)
	}
}

// allowRate spends a token of the client's bucket, answering 429 with
// Retry-After (RFC 6585 §4) when there is none.
func (h *Handler) allowRate(w http.ResponseWriter, r *http.Request, b bucket) bool {
	wait := h.clients.wait(clientKey(r.RemoteAddr), b)
	if wait == 0 {
		return true
	}
	SetRetryAfter(w.Header(), wait)
	WriteProblem(w, http.StatusTooManyRequests, "request rate limit exceeded")
	return false
}

// admit runs the checks a POST and a plain OPTIONS on the endpoint share:
// the client's rate, the stream's existence (404 before any token check) and
// its bearer token. It writes the refusal and reports false when one fails.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request, stream string) bool {
	if !h.allowRate(w, r, postBucket) {
		return false
	}
	token, exists := h.streamToken(stream)
	if !exists {
		WriteProblem(w, http.StatusNotFound, "no such stream")
		return false
	}
	return CheckBearer(w, r, token, h.TokenValidFor)
}
