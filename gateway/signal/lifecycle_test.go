package signal

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/prometheus/client_golang/prometheus"
)

func TestSessionRemovedWhenDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		loc, etag := e.create()
		e.create()
		e.sessions[0].end() // ICE failed, consent expired: no DELETE
		synctest.Wait()
		if n := e.h.Sessions(); n != 1 {
			t.Fatalf("Sessions() = %d, want 1", n)
		}
		rec := e.do("PATCH", loc, trickleFrag, "Content-Type", SDPFragContentType, "If-Match", etag)
		if rec.Code != 404 {
			t.Fatalf("PATCH on an ended session: %d", rec.Code)
		}
	})
}

func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		for range 3 {
			e.create()
		}
		e.h.Close()
		if n := e.h.Sessions(); n != 0 {
			t.Fatalf("Sessions() = %d after Close", n)
		}
		for i, s := range e.sessions {
			if _, _, closes := s.snapshot(); closes != 1 {
				t.Errorf("session %d closed %d times", i, closes)
			}
		}
		rec := post(e.h, testRemote)
		if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("POST after Close: %d", rec.Code)
		}
		e.h.Close()
	})
}

// TestConcurrentPatchDelete races PATCHes, restarts and DELETEs on one
// session; run it with -race.
func TestConcurrentPatchDelete(t *testing.T) {
	e := newEnv(t)
	loc, etag := e.create()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]map[int]int{"PATCH": {}, "RESTART": {}, "DELETE": {}}
	for i := range 60 {
		kind := []string{"PATCH", "RESTART", "DELETE"}[i%3]
		wg.Go(func() {
			var rec *httptest.ResponseRecorder
			switch kind {
			case "PATCH":
				rec = e.do("PATCH", loc, trickleFrag, "Content-Type", SDPFragContentType, "If-Match", etag)
			case "RESTART":
				rec = e.do("PATCH", loc, restartFrag, "Content-Type", SDPFragContentType, "If-Match", "*")
			default:
				rec = e.do("DELETE", loc, "")
			}
			mu.Lock()
			codes[kind][rec.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes["DELETE"][200] != 1 || codes["DELETE"][404] != 19 {
		t.Errorf("DELETE codes %v, want one 200", codes["DELETE"])
	}
	for code := range codes["PATCH"] {
		if code != 204 && code != 412 && code != 404 {
			t.Errorf("PATCH answered %d", code)
		}
	}
	for code := range codes["RESTART"] {
		if code != 200 && code != 400 && code != 404 {
			t.Errorf("restart answered %d", code)
		}
	}
	if _, _, closes := e.lastSession().snapshot(); closes != 1 || e.h.Sessions() != 0 {
		t.Errorf("closes %d, sessions %d", closes, e.h.Sessions())
	}
}

// TestLoopbackServer runs the handler behind a real HTTP server on
// 127.0.0.1 and walks one session through its life.
func TestLoopbackServer(t *testing.T) {
	e := newEnv(t)
	mux := http.NewServeMux()
	mux.Handle("/whep/", e.h)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	do := func(method, path, ct, body string, hdr ...string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := do("POST", "/whep/cam2", SDPContentType, testOffer, "Authorization", "Bearer token-2")
	if resp.StatusCode != 201 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	loc, etag := resp.Header.Get("Location"), resp.Header.Get("ETag")
	if resp := do("HEAD", "/whep/cam2", "", ""); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != SDPContentType {
		t.Fatalf("HEAD: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp := do("PATCH", loc, SDPFragContentType, trickleFrag, "If-Match", etag); resp.StatusCode != 204 {
		t.Fatalf("PATCH: %d", resp.StatusCode)
	}
	resp = do("PATCH", loc, SDPFragContentType, restartFrag, "If-Match", `"*"`)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("restart: %d", resp.StatusCode)
	}
	checkRestartReply(t, resp.Header, string(body), etag)
	for _, want := range []int{200, 404} {
		if resp := do("DELETE", loc, "", ""); resp.StatusCode != want {
			t.Fatalf("DELETE: %d, want %d", resp.StatusCode, want)
		}
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, "whep", "WHEP viewer sessions currently registered, by stream.")
	if again := NewMetrics(reg, "whep", "WHEP viewer sessions currently registered, by stream."); again.requests != m.requests {
		t.Fatalf("a second NewMetrics did not reuse the registered metrics")
	}
	e := newEnv(t, func(h *Handler) { h.Metrics = m })
	loc, _ := e.create()
	e.create()
	e.do("BREW", "/whep/cam1", "")
	e.do("DELETE", loc, "")
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			key := f.GetName()
			for _, l := range metric.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			got[key] = metric.GetCounter().GetValue() + metric.GetGauge().GetValue()
		}
	}
	want := map[string]float64{
		"mediagate_whep_requests_total,code=201,method=POST":   2,
		"mediagate_whep_requests_total,code=405,method=OTHER":  1,
		"mediagate_whep_requests_total,code=200,method=DELETE": 1,
		"mediagate_whep_sessions,stream=cam1":                  1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	var nilMetrics *Metrics
	nilMetrics.request("GET", 200)
	nilMetrics.sessionAdded("x")
}

// TestLogsCarryNoSecrets checks that tokens, the query string and whole
// session IDs stay out of the logs and that SDP-derived strings are escaped.
func TestLogsCarryNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, func(h *Handler) {
		h.Log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	rec := e.do("POST", "/whep/cam2?token=query-secret", testOffer, "Content-Type", SDPContentType, "Authorization", "Bearer token-2")
	if rec.Code != 201 {
		t.Fatalf("POST: %d", rec.Code)
	}
	loc, etag := rec.Header().Get("Location"), rec.Header().Get("ETag")
	e.do("POST", "/whep/cam2", testOffer, "Content-Type", SDPContentType, "Authorization", "Bearer token-3")
	evil := "a=candidate:1 1 tcp 1 127.0.0.1 9 typ host \x1b[31mred\r\n"
	e.do("PATCH", loc, strings.ReplaceAll(evil, "\x1b", "\t")+"a="+testCandidate2+"\r\n",
		"Content-Type", SDPFragContentType, "If-Match", etag)
	e.do("GET", "/whep/%1B%5B2Jcam%0A1", "")
	e.lastSession().restartErr = errInternal
	e.do("PATCH", loc, restartFrag, "Content-Type", SDPFragContentType, "If-Match", "*")
	out := buf.String()
	id := locationRe.FindStringSubmatch(loc)[2]
	for _, secret := range []string{"token-2", "token-3", "query-secret", id, "\x1b", "cam\n1"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"session created", "candidate discarded", `\x1b[2Jcam\n1`, "fake: secret internal state"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
