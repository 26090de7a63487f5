package signal

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func manyCandidates(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a=candidate:%d 1 udp 2122260223 127.0.0.1 %d typ host\r\n", i+1, 1000+i)
	}
	return b.String()
}

func TestPost(t *testing.T) {
	sdp := []string{"Content-Type", SDPContentType}
	withSDP := func(h ...string) []string { return append(append([]string(nil), sdp...), h...) }
	tests := []struct {
		name      string
		target    string
		body      string
		hdr       []string
		openErr   error
		want      int
		challenge string // WWW-Authenticate, when set
	}{
		{name: "created", target: "/whep/cam1", body: testOffer, hdr: sdp, want: 201},
		{name: "charset parameter accepted", target: "/whep/cam1", body: testOffer, hdr: []string{"Content-Type", "application/sdp; charset=utf-8"}, want: 201},
		{name: "media type case-insensitive", target: "/whep/cam1", body: testOffer, hdr: []string{"Content-Type", "Application/SDP"}, want: 201},
		{name: "LF line endings", target: "/whep/cam1", body: strings.ReplaceAll(testOffer, "\r\n", "\n"), hdr: sdp, want: 201},
		{name: "text/plain", target: "/whep/cam1", body: testOffer, hdr: []string{"Content-Type", "text/plain"}, want: 415},
		{name: "no content type", target: "/whep/cam1", body: testOffer, want: 415},
		{name: "garbled content type", target: "/whep/cam1", body: testOffer, hdr: []string{"Content-Type", "/;;"}, want: 415},
		{name: "body over the cap", target: "/whep/cam1", body: testOffer + strings.Repeat("a=x\r\n", DefaultMaxBodyBytes/5), hdr: sdp, want: 413},
		{name: "empty body", target: "/whep/cam1", hdr: sdp, want: 400},
		{name: "NUL byte", target: "/whep/cam1", body: "v=0\r\n\x00", hdr: sdp, want: 400},
		{name: "not UTF-8", target: "/whep/cam1", body: "v=0\r\ns=\xff\xfe\r\n", hdr: sdp, want: 400},
		{name: "not starting with v=0", target: "/whep/cam1", body: "o=- 1 1 IN IP4 127.0.0.1\r\nv=0\r\n", hdr: sdp, want: 400},
		{name: "v=01", target: "/whep/cam1", body: "v=01\r\n", hdr: sdp, want: 400},
		{name: "garbage", target: "/whep/cam1", body: "hello world", hdr: sdp, want: 400},
		{name: "no ICE credentials", target: "/whep/cam1", body: "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", hdr: sdp, want: 400},
		{name: "ufrag too short", target: "/whep/cam1", body: strings.ReplaceAll(testOffer, testUfrag, "abc"), hdr: sdp, want: 400},
		{name: "pwd too short", target: "/whep/cam1", body: strings.ReplaceAll(testOffer, testPwd, "short"), hdr: sdp, want: 400},
		{name: "too many candidates", target: "/whep/cam1", body: testOffer + manyCandidates(DefaultMaxCandidates+1), hdr: sdp, want: 413},
		{name: "unknown stream", target: "/whep/nope", body: testOffer, hdr: sdp, want: 404},
		{name: "no token", target: "/whep/cam2", body: testOffer, hdr: sdp, want: 401, challenge: `Bearer realm="mediagate"`},
		{name: "wrong token", target: "/whep/cam2", body: testOffer, hdr: withSDP("Authorization", "Bearer wrong"), want: 401, challenge: `Bearer realm="mediagate", error="invalid_token"`},
		{name: "malformed bearer", target: "/whep/cam2", body: testOffer, hdr: withSDP("Authorization", "Bearer a b"), want: 401, challenge: `Bearer realm="mediagate", error="invalid_token"`},
		{name: "basic scheme", target: "/whep/cam2", body: testOffer, hdr: withSDP("Authorization", "Basic dXNlcjpwYXNz"), want: 401, challenge: `Bearer realm="mediagate"`},
		{name: "other stream's token", target: "/whep/cam2", body: testOffer, hdr: withSDP("Authorization", "Bearer token-3"), want: 403},
		{name: "right token", target: "/whep/cam2", body: testOffer, hdr: withSDP("Authorization", "Bearer token-2"), want: 201},
		{name: "scheme case-insensitive", target: "/whep/cam2", body: testOffer, hdr: withSDP("Authorization", "bearer token-2"), want: 201},
		{name: "token ignored where none is needed", target: "/whep/cam1", body: testOffer, hdr: withSDP("Authorization", "Bearer whatever"), want: 201},
		{name: "auth before content type", target: "/whep/cam2", body: testOffer, want: 401, challenge: `Bearer realm="mediagate"`},
		{name: "open: bad offer", target: "/whep/cam1", body: testOffer, hdr: sdp, openErr: errBadOffer, want: 400},
		{name: "open: unacceptable", target: "/whep/cam1", body: testOffer, hdr: sdp, openErr: errUnacceptable, want: 422},
		{name: "open: capacity", target: "/whep/cam1", body: testOffer, hdr: sdp, openErr: errCapacity, want: 503},
		{name: "open: unclassified", target: "/whep/cam1", body: testOffer, hdr: sdp, openErr: errInternal, want: 500},
		{name: "open: wrapped", target: "/whep/cam1", body: testOffer, hdr: sdp, openErr: fmt.Errorf("x: %w", errUnacceptable), want: 422},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.setOpenErr(tc.openErr)
			rec := e.do("POST", tc.target, tc.body, tc.hdr...)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenge)
			}
			if tc.want == 201 {
				checkCreated(t, e, rec, tc.body)
				return
			}
			p := checkProblem(t, rec)
			if strings.Contains(p.Detail, "secret") || strings.Contains(rec.Body.String(), "token-") {
				t.Errorf("problem leaks internals: %+v", p)
			}
			if got := rec.Header().Get("Retry-After"); (tc.want == 503) != (got != "") {
				t.Errorf("Retry-After = %q with status %d", got, tc.want)
			}
			if e.h.Sessions() != 0 {
				t.Errorf("%d sessions after a failed POST", e.h.Sessions())
			}
		})
	}
}

// checkCreated asserts a 201 (RFC 9725 §4.2, §4.3.1, §4.6).
func checkCreated(t *testing.T, e *env, rec *httptest.ResponseRecorder, offer string) {
	t.Helper()
	hdr := rec.Header()
	if ct := hdr.Get("Content-Type"); ct != SDPContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	if rec.Body.String() != testAnswer {
		t.Errorf("body is not the answer: %q", rec.Body)
	}
	m := locationRe.FindStringSubmatch(hdr.Get("Location"))
	if m == nil {
		t.Fatalf("Location = %q", hdr.Get("Location"))
	}
	if !etagRe.MatchString(hdr.Get("ETag")) {
		t.Errorf("ETag = %q, want a strong quoted tag", hdr.Get("ETag"))
	}
	if got := hdr.Get("Accept-Patch"); got != SDPFragContentType {
		t.Errorf("Accept-Patch = %q", got)
	}
	if links := hdr.Values("Link"); len(links) != 1 || !strings.Contains(links[0], `rel="ice-server"`) {
		t.Errorf("Link = %q", links)
	}
	req := e.opened[len(e.opened)-1]
	if req.ID != m[2] || req.Stream != m[1] || req.Offer != offer || req.Remote != testRemote {
		t.Errorf("OpenRequest = %+v, Location %q", req, m[0])
	}
	if e.h.Sessions() != 1 {
		t.Errorf("Sessions() = %d", e.h.Sessions())
	}
}

func TestPostUnknownLengthOverCap(t *testing.T) {
	e := newEnv(t, func(h *Handler) { h.MaxBodyBytes = 1024 })
	body := io.MultiReader(strings.NewReader(testOffer), strings.NewReader(strings.Repeat("a=x\r\n", 1000)))
	req := httptest.NewRequest("POST", "/whep/cam1", body)
	req.ContentLength = -1
	req.Header.Set("Content-Type", SDPContentType)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", rec.Code)
	}
}

func TestPostUniqueIDs(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	for range 50 {
		loc, etag := e.create()
		if seen[loc] || seen[etag] {
			t.Fatalf("repeated %q or %q", loc, etag)
		}
		seen[loc], seen[etag] = true, true
	}
}

func TestPostOpenTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(h *Handler) { h.OpenTimeout = 3 * time.Second })
		var waited time.Duration
		e.h.Open = OpenFunc(func(ctx context.Context, _ OpenRequest) (Session, string, error) {
			start := time.Now()
			<-ctx.Done()
			waited = time.Since(start)
			return nil, "", ctx.Err()
		})
		rec := e.do("POST", "/whep/cam1", testOffer, "Content-Type", SDPContentType)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "5" {
			t.Fatalf("status %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
		if waited != 3*time.Second {
			t.Errorf("Open waited %v", waited)
		}
	})
}

func TestPostClientGone(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	e.h.Open = OpenFunc(func(context.Context, OpenRequest) (Session, string, error) {
		cancel()
		s := newFakeSession()
		e.sessions = append(e.sessions, s)
		return s, testAnswer, nil
	})
	req := httptest.NewRequestWithContext(ctx, "POST", "/whep/cam1", strings.NewReader(testOffer))
	req.Header.Set("Content-Type", SDPContentType)
	e.h.ServeHTTP(httptest.NewRecorder(), req)
	if _, _, closes := e.lastSession().snapshot(); closes != 1 || e.h.Sessions() != 0 {
		t.Fatalf("closes %d, sessions %d: an abandoned session must be closed", closes, e.h.Sessions())
	}
}

func TestPostZeroHandler(t *testing.T) {
	h := &Handler{Name: "whep"}
	defer h.Close()
	req := httptest.NewRequest("POST", "/whep/any", strings.NewReader(testOffer))
	req.Header.Set("Content-Type", SDPContentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("zero Handler POST: %d", rec.Code)
	}
}
