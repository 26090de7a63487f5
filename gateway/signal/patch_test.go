package signal

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

const (
	newUfrag = "ysXw"
	newPwd   = "vw5LmwG4y/e6dPP/zAP9Gp5k"
	// trickleFrag follows the trickle example of draft-ietf-wish-whep.
	trickleFrag = "a=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n" +
		"a=ice-ufrag:" + testUfrag + "\r\na=ice-pwd:" + testPwd + "\r\n" +
		"a=" + testCandidate + "\r\na=" + testCandidate2 + "\r\na=end-of-candidates\r\n"
	// restartFrag follows the restart example.
	restartFrag = "a=ice-options:trickle ice2\r\na=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n" +
		"a=ice-ufrag:" + newUfrag + "\r\na=ice-pwd:" + newPwd + "\r\na=" + testCandidate + "\r\n"
)

func TestPatch(t *testing.T) {
	frag := []string{"Content-Type", SDPFragContentType}
	tests := []struct {
		name       string
		target     func(loc string) string
		body       string
		ifMatch    string // "current" = the session's ETag; "" = none
		ct         string // "" = trickle-ice-sdpfrag
		restartErr error
		want       int
		added      int // candidates passed to AddCandidate
		restarted  bool
	}{
		{name: "trickle", body: trickleFrag, ifMatch: "current", want: 204, added: 2},
		{name: "trickle among other tags", body: trickleFrag, ifMatch: `"x", current`, want: 204, added: 2},
		{name: "trickle without credentials", body: "a=mid:0\r\na=" + testCandidate + "\r\n", ifMatch: "current", want: 204, added: 1},
		{name: "end-of-candidates only", body: "a=end-of-candidates\r\n", ifMatch: "current", want: 204},
		{name: "empty fragment", body: "", ifMatch: "current", want: 204},
		{name: "unknown session", target: func(string) string { return "/whep/cam1/" + strings.Repeat("a", 32) }, body: trickleFrag, ifMatch: "current", want: 404},
		{name: "other stream's path", target: func(l string) string { return strings.Replace(l, "cam1", "cam2", 1) }, body: trickleFrag, ifMatch: "current", want: 404},
		{name: "malformed session id", target: func(string) string { return "/whep/cam1/xyz" }, body: trickleFrag, ifMatch: "current", want: 404},
		{name: "extra path segment", target: func(l string) string { return l + "/x" }, body: trickleFrag, ifMatch: "current", want: 404},
		{name: "wrong content type", body: trickleFrag, ifMatch: "current", ct: "application/sdp", want: 415},
		{name: "no If-Match", body: trickleFrag, want: 428},
		{name: "stale If-Match", body: trickleFrag, ifMatch: `"0123"`, want: 412},
		{name: "weak If-Match", body: trickleFrag, ifMatch: "W/current", want: 412},
		{name: "junk If-Match", body: trickleFrag, ifMatch: `current junk`, want: 412},
		{name: "malformed fragment", body: "hello\r\n", ifMatch: "current", want: 400},
		{name: "bad candidate", body: "a=candidate:1 1 udp x 127.0.0.1 1 typ host\r\n", ifMatch: "current", want: 400},
		{name: "too many candidates", body: manyCandidates(DefaultMaxCandidates + 1), ifMatch: "current", want: 413},
		{name: "restart with *", body: restartFrag, ifMatch: "*", want: 200, restarted: true},
		{name: `restart with "*"`, body: restartFrag, ifMatch: `"*"`, want: 200, restarted: true},
		{name: "restart by new credentials", body: restartFrag, ifMatch: "current", want: 200, restarted: true},
		{name: "restart with same credentials", body: trickleFrag, ifMatch: "*", want: 400},
		{name: "restart without pwd", body: "a=ice-ufrag:" + newUfrag + "\r\n", ifMatch: "*", want: 400},
		{name: "restart with a stale tag", body: restartFrag, ifMatch: `"0123"`, want: 412},
		{name: "restart refused", body: restartFrag, ifMatch: "*", restartErr: errUnacceptable, want: 422},
		{name: "restart failed", body: restartFrag, ifMatch: "*", restartErr: errInternal, want: 500},
		{name: "restart over capacity", body: restartFrag, ifMatch: "*", restartErr: errCapacity, want: 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			loc, etag := e.create()
			fs := e.lastSession()
			fs.restartErr = tc.restartErr
			target := loc
			if tc.target != nil {
				target = tc.target(loc)
			}
			hdr := slices.Clone(frag)
			if tc.ct != "" {
				hdr[1] = tc.ct
			}
			if tc.ifMatch != "" {
				hdr = append(hdr, "If-Match", strings.ReplaceAll(tc.ifMatch, "current", etag))
			}
			rec := e.do("PATCH", target, tc.body, hdr...)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			added, restarts, _ := fs.snapshot()
			if len(added) != tc.added || (len(restarts) == 1) != tc.restarted {
				t.Errorf("added %v, restarts %v", added, restarts)
			}
			switch {
			case tc.want == 204:
				if rec.Body.Len() != 0 || rec.Header().Get("ETag") != "" {
					t.Errorf("204 with body %q or ETag %q", rec.Body, rec.Header().Get("ETag"))
				}
			case tc.want == 200:
				checkRestartReply(t, rec.Header(), rec.Body.String(), etag)
			default:
				checkProblem(t, rec)
			}
			if tc.want != 404 && e.h.Sessions() != 1 {
				t.Errorf("session gone after %d", tc.want)
			}
		})
	}
}

// checkRestartReply asserts a restart's 200 (RFC 9725 §4.3.3).
func checkRestartReply(t *testing.T, hdr http.Header, body, oldETag string) {
	t.Helper()
	if ct := hdr.Get("Content-Type"); ct != SDPFragContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	if etag := hdr.Get("ETag"); !etagRe.MatchString(etag) || etag == oldETag {
		t.Errorf("ETag %q, old %q", etag, oldETag)
	}
	f, err := ParseSDPFrag(body)
	if err != nil {
		t.Fatalf("reply does not parse: %v\n%s", err, body)
	}
	want := Frag{ICELite: true, ICEOptions: "trickle ice2", Group: "BUNDLE 0 1",
		Ufrag: "289b31b754eaa438", Pwd: "0b66f472495ef0ccac7bda653ab6be49",
		Media: []FragMedia{{Line: "audio 9 UDP/TLS/RTP/SAVPF 111", Mid: "0", EndOfCandidates: true,
			Candidates: []string{"candidate:1 1 udp 2130706431 127.0.0.1 39133 typ host", "candidate:2 1 udp 2130706430 ::1 39134 typ host"}}}}
	if f.String() != want.String() {
		t.Errorf("reply\n%s\nwant\n%s", f, want)
	}
}

func TestPatchTrickleMids(t *testing.T) {
	e := newEnv(t)
	loc, etag := e.create()
	body := "a=" + testCandidate + "\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=" + testCandidate2 + "\r\n"
	rec := e.do("PATCH", loc, body, "Content-Type", SDPFragContentType, "If-Match", etag)
	if rec.Code != 204 {
		t.Fatalf("status %d", rec.Code)
	}
	added, _, _ := e.lastSession().snapshot()
	want := []Candidate{{testCandidate, "0"}, {testCandidate2, "1"}}
	if !slices.Equal(added, want) {
		t.Errorf("added %v, want %v (the answer's first mid by default)", added, want)
	}
}

func TestPatchAfterRestart(t *testing.T) {
	e := newEnv(t)
	loc, oldTag := e.create()
	frag := []string{"Content-Type", SDPFragContentType}
	rec := e.do("PATCH", loc, restartFrag, append(frag, "If-Match", "*")...)
	if rec.Code != 200 {
		t.Fatalf("restart: %d", rec.Code)
	}
	newTag := rec.Header().Get("ETag")
	_, restarts, _ := e.lastSession().snapshot()
	if want := []string{newUfrag, newPwd, testCandidate}; !slices.Equal(restarts[0], want) {
		t.Errorf("Restart got %q, want %q", restarts[0], want)
	}
	newTrickle := "a=ice-ufrag:" + newUfrag + "\r\na=ice-pwd:" + newPwd + "\r\na=" + testCandidate2 + "\r\n"
	steps := []struct {
		body, tag string
		want      int
	}{
		{newTrickle, oldTag, 412},
		{newTrickle, newTag, 204},
		// The old credentials are now a change: a restart back to them.
		{trickleFrag, newTag, 200},
	}
	for i, s := range steps {
		if rec := e.do("PATCH", loc, s.body, append(frag, "If-Match", s.tag)...); rec.Code != s.want {
			t.Fatalf("step %d: %d, want %d", i, rec.Code, s.want)
		}
	}
}

func TestPatchFailedRestartKeepsSession(t *testing.T) {
	e := newEnv(t)
	loc, etag := e.create()
	fs := e.lastSession()
	fs.restartErr = errUnacceptable
	frag := []string{"Content-Type", SDPFragContentType}
	if rec := e.do("PATCH", loc, restartFrag, append(frag, "If-Match", "*")...); rec.Code != 422 {
		t.Fatalf("restart: %d", rec.Code)
	}
	if rec := e.do("PATCH", loc, trickleFrag, append(frag, "If-Match", etag)...); rec.Code != 204 {
		t.Fatalf("trickle with the kept ETag: %d", rec.Code)
	}
	if _, _, closes := fs.snapshot(); closes != 0 {
		t.Fatalf("a failed restart closed the session")
	}
}

func TestPatchCandidateCapPerICESession(t *testing.T) {
	e := newEnv(t, func(h *Handler) { h.MaxCandidates = 3 })
	loc, etag := e.create()
	hdr := []string{"Content-Type", SDPFragContentType, "If-Match", etag}
	one := "a=" + testCandidate + "\r\n"
	for i, want := range []int{204, 204, 204, 413} {
		if rec := e.do("PATCH", loc, one, hdr...); rec.Code != want {
			t.Fatalf("PATCH %d: %d, want %d", i, rec.Code, want)
		}
	}
	rec := e.do("PATCH", loc, restartFrag, "Content-Type", SDPFragContentType, "If-Match", "*")
	if rec.Code != 200 {
		t.Fatalf("restart: %d", rec.Code)
	}
	hdr[3] = rec.Header().Get("ETag")
	for i, want := range []int{204, 204, 413} { // the restart brought one
		if rec := e.do("PATCH", loc, one, hdr...); rec.Code != want {
			t.Fatalf("PATCH %d after restart: %d, want %d", i, rec.Code, want)
		}
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	loc, etag := e.create()
	fs := e.lastSession()
	if rec := e.do("DELETE", loc, "", "If-Match", `"junk"`); rec.Code != 200 {
		t.Fatalf("DELETE with a junk If-Match: %d", rec.Code)
	}
	if _, _, closes := fs.snapshot(); closes != 1 || e.h.Sessions() != 0 {
		t.Fatalf("closes %d, sessions %d", closes, e.h.Sessions())
	}
	steps := []struct{ method, body string }{{"DELETE", ""}, {"PATCH", trickleFrag}, {"GET", ""}}
	for _, s := range steps {
		rec := e.do(s.method, loc, s.body, "Content-Type", SDPFragContentType, "If-Match", etag)
		if rec.Code != 404 {
			t.Errorf("%s after DELETE: %d", s.method, rec.Code)
		}
	}
	if _, _, closes := fs.snapshot(); closes != 1 {
		t.Errorf("Close called %d times", closes)
	}
}
