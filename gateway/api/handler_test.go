package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestHealthz(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.get(t, "/healthz", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if got["status"] != "ok" || got["version"] != "1.2.3-test" {
		t.Errorf("body %v, want status ok and the version", got)
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
