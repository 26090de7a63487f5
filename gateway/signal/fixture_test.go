package signal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Errors the fake Open and Restart return, of the kinds egress's are.
var (
	errBadOffer     = NewError("fake: bad offer", ErrInvalid)
	errUnacceptable = NewError("fake: unacceptable", ErrUnacceptable)
	errCapacity     = NewError("fake: at capacity", ErrUnavailable)
	errInternal     = errors.New("fake: secret internal state")
)

const (
	testUfrag = "zjkk"
	testPwd   = "bP+XJMM09aR8AiX1jdukzR6Y"
	// testOffer follows the example offer of draft-ietf-wish-whep.
	testOffer = "v=0\r\no=- 5228595038118931041 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
		"a=group:BUNDLE 0 1\r\na=ice-options:trickle ice2\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" +
		"a=ice-ufrag:" + testUfrag + "\r\na=ice-pwd:" + testPwd + "\r\n" +
		"a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n" +
		"m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n" +
		"a=ice-ufrag:" + testUfrag + "\r\na=ice-pwd:" + testPwd + "\r\n" +
		"a=setup:actpass\r\na=mid:1\r\na=bundle-only\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n"
	// testAnswer is what the fake Open answers.
	testAnswer = "v=0\r\no=- 1657793490019 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
		"a=group:BUNDLE 0 1\r\na=ice-lite\r\na=ice-options:trickle ice2\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" +
		"a=ice-ufrag:526be20a538ee422\r\na=ice-pwd:2e13dde17c1cb009202f627fab90cbec\r\n" +
		"a=candidate:1 1 UDP 2130706431 127.0.0.1 39132 typ host\r\n" +
		"a=setup:passive\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtcp-mux-only\r\n" +
		"m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=bundle-only\r\na=sendonly\r\n"
	testCandidate  = "candidate:1387637174 1 udp 2122260223 127.0.0.1 61764 typ host generation 0"
	testCandidate2 = "candidate:473322822 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active"
	testRemote     = "127.0.0.1:40000"
)

var (
	locationRe = regexp.MustCompile(`^/whep/([^/]+)/([0-9a-f]{32})$`)
	etagRe     = regexp.MustCompile(`^"[0-9a-f]{24}"$`)
)

// fakeSession records what the handler asks of it.
type fakeSession struct {
	mu         sync.Mutex
	added      []Candidate
	restarts   [][]string
	restartErr error
	closes     int
	done       chan struct{}
	once       sync.Once
}

func newFakeSession() *fakeSession { return &fakeSession{done: make(chan struct{})} }

func (f *fakeSession) AddCandidate(candidate, mid string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.added = append(f.added, Candidate{Candidate: candidate, Mid: mid})
	if strings.Contains(candidate, " tcp ") {
		return errors.New("fake: tcp unsupported")
	}
	return nil
}

func (f *fakeSession) Restart(_ context.Context, ufrag, pwd string, cands []string) (string, string, []string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.restartErr != nil {
		return "", "", nil, f.restartErr
	}
	f.restarts = append(f.restarts, append([]string{ufrag, pwd}, cands...))
	return "289b31b754eaa438", "0b66f472495ef0ccac7bda653ab6be49",
		[]string{"candidate:1 1 udp 2130706431 127.0.0.1 39133 typ host", "a=candidate:2 1 udp 2130706430 ::1 39134 typ host", "bad\ncandidate"}, nil
}

func (f *fakeSession) Close() {
	f.mu.Lock()
	f.closes++
	f.mu.Unlock()
	f.end()
}

// end closes Done without Close, as an ICE failure would.
func (f *fakeSession) end()                  { f.once.Do(func() { close(f.done) }) }
func (f *fakeSession) Done() <-chan struct{} { return f.done }

func (f *fakeSession) snapshot() (added []Candidate, restarts [][]string, closes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Candidate(nil), f.added...), append([][]string(nil), f.restarts...), f.closes
}

// env is a Handler with a fake Open and the sessions it created.
type env struct {
	t        *testing.T
	h        *Handler
	mu       sync.Mutex
	openErr  error
	opened   []OpenRequest
	sessions []*fakeSession
}

// streams: cam1 needs no token, cam2 and cam3 have their own.
var testTokens = map[string]string{"cam1": "", "cam2": "token-2", "cam3": "token-3"}

func newEnv(t *testing.T, opts ...func(*Handler)) *env {
	t.Helper()
	e := &env{t: t}
	e.h = &Handler{
		Name: "whep",
		Open: OpenFunc(e.open),
		StreamToken: func(s string) (string, bool) {
			tok, ok := testTokens[s]
			return tok, ok
		},
		TokenValidFor: func(tok string) bool {
			for _, v := range testTokens {
				if v != "" && v == tok {
					return true
				}
			}
			return false
		},
		ICEServers: func(*http.Request, string) []string {
			return []string{`<turn:127.0.0.1:3478?transport=udp>; rel="ice-server"; username="1:u"; credential="c"; credential-type="password"`}
		},
		CORSOrigins: []string{"https://player.example"},
	}
	for _, o := range opts {
		o(e.h)
	}
	t.Cleanup(e.h.Close)
	return e
}

func (e *env) open(ctx context.Context, req OpenRequest) (Session, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opened = append(e.opened, req)
	if e.openErr != nil {
		return nil, "", e.openErr
	}
	s := newFakeSession()
	e.sessions = append(e.sessions, s)
	return s, testAnswer, nil
}

func (e *env) setOpenErr(err error) {
	e.mu.Lock()
	e.openErr = err
	e.mu.Unlock()
}

func (e *env) lastSession() *fakeSession {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sessions[len(e.sessions)-1]
}

// do sends one request through ServeHTTP; hdr is "Name", "value" pairs.
func (e *env) do(method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.RemoteAddr = testRemote
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// create POSTs the test offer to cam1 and returns the session URL and ETag.
func (e *env) create() (location, etag string) {
	e.t.Helper()
	rec := e.do("POST", "/whep/cam1", testOffer, "Content-Type", SDPContentType)
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	return rec.Header().Get("Location"), rec.Header().Get("ETag")
}

// checkProblem asserts an RFC 9457 body with the response's status.
func checkProblem(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
		t.Fatalf("Content-Type = %q, want %q", ct, ProblemContentType)
	}
	var p Problem
	if err := json.NewDecoder(io.Reader(rec.Body)).Decode(&p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	if p.Status != rec.Code || p.Type != "about:blank" || p.Title != http.StatusText(rec.Code) {
		t.Fatalf("problem %+v for status %d", p, rec.Code)
	}
	return p
}
