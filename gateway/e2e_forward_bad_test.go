package gateway

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/forward"
)

// badEndpoint is a WHIP endpoint that misbehaves and counts its requests.
type badEndpoint struct {
	srv  *httptest.Server
	hits atomic.Int64
}

func newBadEndpoint(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *badEndpoint {
	e := &badEndpoint{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// TestForwardBadEndpoints: a stream forwarded to four broken WHIP
// endpoints — one answering 500, one 401, one that never answers, one
// redirecting to itself — while a viewer watches it. Each forward ends in
// its documented state with a clear log line (500 and silence: retrying
// with backoff; 401 and the loop: failed, not retried), and the viewer
// keeps receiving throughout.
func TestForwardBadEndpoints(t *testing.T) {
	e500 := newBadEndpoint(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "upstream exploded", http.StatusInternalServerError)
	})
	e401 := newBadEndpoint(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "bad token", http.StatusUnauthorized)
	})
	silent := newBadEndpoint(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	var loop *badEndpoint
	loop = newBadEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", loop.srv.URL+"/whip/again")
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	table := func(url string) string {
		return fmt.Sprintf("  [[stream.forward]]\n  url = %q\n  token = \"secret-forward-token-42\"\n"+
			"  request_timeout = \"500ms\"\n  retry_min = \"200ms\"\n  retry_max = \"1s\"\n", url)
	}
	port := freePort(t, "udp")
	cfg := testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
%s%s%s%s`, port, table(e500.srv.URL+"/whip"), table(e401.srv.URL+"/whip"), table(silent.srv.URL+"/whip"), table(loop.srv.URL+"/whip")))
	logs := &lockedBuffer{}
	gw, err := New(cfg, slog.New(slog.NewTextHandler(io.MultiWriter(logs, testWriter{t}), nil)))
	if err != nil {
		t.Fatal(err)
	}
	url := runGateway(t, gw)
	startCamera(t, "127.0.0.1:0", port, nil)
	viewer := dialWHEPOnly(t, url, "cam", offerVP8)
	viewer.waitPayloads(t, "video", 20, 10*time.Second)
	before := viewer.count("video")

	state := func(e *badEndpoint) string {
		for _, f := range gw.Forwards("cam") {
			if strings.HasPrefix(f.URL(), e.srv.URL) {
				return f.State()
			}
		}
		return "absent"
	}
	waitUntil(t, 10*time.Second, "every forward in its documented state", func() bool {
		return state(e401) == forward.StateFailed && state(loop) == forward.StateFailed &&
			e500.hits.Load() >= 3 && silent.hits.Load() >= 2 &&
			state(e500) != forward.StateUp && state(silent) != forward.StateUp
	})
	hits401, hitsLoop := e401.hits.Load(), loop.hits.Load()
	time.Sleep(1500 * time.Millisecond) // several backoffs of the retrying ones
	if e401.hits.Load() != 1 || loop.hits.Load() != hitsLoop || hits401 != 1 {
		t.Errorf("refused forwards retried: 401 endpoint hit %d times, redirect loop %d then %d", e401.hits.Load(), hitsLoop, loop.hits.Load())
	}
	if hitsLoop != 6 {
		t.Errorf("redirect loop followed %d requests, want 1 + max_redirects (5)", hitsLoop)
	}
	for _, want := range []string{
		`msg="forward failed; no retry until the source restarts or the config changes"` + ` component=forward stream=cam url=` + e401.srv.URL + `/whip reason=http_401`,
		`url=` + loop.srv.URL + `/whip reason=redirect_loop`,
		`msg="forward attempt failed; retrying" component=forward stream=cam url=` + e500.srv.URL + `/whip reason=http_500`,
		`url=` + silent.srv.URL + `/whip reason=timeout`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no log line with %q", want)
		}
	}
	if strings.Contains(logs.String(), "secret-forward-token-42") {
		t.Error("the forward token reached the log")
	}
	if got := viewer.count("video") - before; got < 300 {
		t.Errorf("the viewer got %d packets in ~2 s of broken forwards, want ≥300 (200/s)", got)
	}
	if v := metricValue(t, gw, "mediagate_forward_failures_total", map[string]string{"stream": "cam", "reason": "http_500"}); v < 3 {
		t.Errorf("mediagate_forward_failures_total{reason=http_500} = %v, want ≥3", v)
	}
}
