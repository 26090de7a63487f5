package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestHealthz checks /healthz's answer and body: 200 with each check and
// what it looks at while the media loops run, 503 naming the stuck loops
// while they do not.
func TestHealthz(t *testing.T) {
	var stuck []string
	f := newFixture(t, func(h *Handler) {
		h.StuckLoops = func() []string { return stuck }
		h.StuckAfter = 5 * time.Second
	})
	for _, tt := range []struct {
		name   string
		stuck  []string
		code   int
		status string
	}{
		{"loops alive", nil, http.StatusOK, "ok"},
		{"cam1 stalled", []string{"cam1/rtcp", "cam1/rtp"}, http.StatusServiceUnavailable, "stalled"},
	} {
		stuck = tt.stuck
		resp, body := f.get(t, "/healthz", "")
		if resp.StatusCode != tt.code {
			t.Fatalf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.code)
		}
		var got health
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s: body %q: %v", tt.name, body, err)
		}
		if got.Status != tt.status || got.Version != "1.2.3-test" || len(got.Checks) != 2 {
			t.Fatalf("%s: body %+v, want status %s, the version and two checks", tt.name, got, tt.status)
		}
		loops := got.Checks[1]
		if loops.Name != "media_loops" || loops.Status != tt.status || !slices.Equal(loops.Stuck, tt.stuck) ||
			!strings.Contains(loops.What, "within the last 5s") {
			t.Errorf("%s: media_loops check %+v", tt.name, loops)
		}
		if got.Checks[0].Name != "http" || got.Checks[0].Status != "ok" || got.Checks[0].What == "" {
			t.Errorf("%s: http check %+v", tt.name, got.Checks[0])
		}
	}
}

// TestFrameAncestors checks the player pages' CSP: frame-ancestors 'none'
// by default, the configured origins when set; the rest stays.
func TestFrameAncestors(t *testing.T) {
	for _, tt := range []struct {
		origins []string
		want    string
	}{
		{nil, "frame-ancestors 'none'"},
		{[]string{"'self'", "https://intranet.example.com"}, "frame-ancestors 'self' https://intranet.example.com"},
	} {
		f := newFixture(t, func(h *Handler) { h.FrameAncestors = tt.origins })
		for _, path := range []string{"/", "/view/cam1"} {
			resp, _ := f.get(t, path, "")
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.HasSuffix(csp, "; "+tt.want) || !strings.HasPrefix(csp, "default-src 'none'; script-src 'self'") {
				t.Errorf("%s with %v: CSP %q, want it to end with %q", path, tt.origins, csp, tt.want)
			}
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	f := newFixture(t, nil)
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "mediagate_test_total", Help: "A test counter."})
	f.reg.MustRegister(c)
	c.Add(3)
	resp, body := f.get(t, "/metrics", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	for _, want := range []string{"mediagate_test_total 3", "mediagate_api_sse_clients 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		path   string
		token  string
		status int
		page   bool
	}{
		{"/healthz", "", http.StatusOK, false},
		{"/metrics", "", http.StatusOK, false},
		{"/api/v1/streams", "", http.StatusUnauthorized, false},
		{"/api/v1/streams", testAdminToken, http.StatusOK, false},
		{"/api/v1/streams/none", testAdminToken, http.StatusNotFound, false},
		{"/", "", http.StatusOK, true},
		{"/view/cam1", "", http.StatusOK, true},
		{"/view/none", "", http.StatusNotFound, true},
		{"/static/player.js", "", http.StatusOK, false},
		{"/static/none.js", "", http.StatusNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, _ := f.get(t, tt.path, tt.token)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !tt.page {
				return
			}
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
		})
	}
}

// TestRoutesBesideWHEP checks that the lead's /whep/ registration on the same
// mux neither conflicts with these routes nor is shadowed by them.
func TestRoutesBesideWHEP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/whep/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	(&Handler{}).Routes(mux)
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodOptions} {
		req, _ := http.NewRequest(method, "/whep/cam1", nil)
		if _, pattern := mux.Handler(req); pattern != "/whep/" {
			t.Errorf("%s /whep/cam1 routes to %q, want /whep/", method, pattern)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	if _, pattern := mux.Handler(req); pattern != "GET /{$}" {
		t.Errorf("GET / routes to %q, want the index", pattern)
	}
}
