package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/signal"
)

var bearerTests = []struct {
	header string
	token  string
	ok     bool
}{
	{"Bearer abc", "abc", true},
	{"bearer abc", "abc", true},
	{"BEARER  abc", "abc", true},
	{"Bearer a.b-c_d~e+f/g==", "a.b-c_d~e+f/g==", true},
	{"", "", false},
	{"Bearer", "", false},
	{"Bearer ", "", false},
	{"Basic YWJjOmRlZg==", "", false},
	{"Bearerabc", "", false},
	{"Bearer abc def", "", false},
	{"Bearer abc\tdef", "", false},
}

func TestBearerToken(t *testing.T) {
	for _, tt := range bearerTests {
		token, ok := bearerToken(tt.header)
		if token != tt.token || ok != tt.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", tt.header, token, ok, tt.token, tt.ok)
		}
	}
}

func FuzzBearerToken(f *testing.F) {
	for _, tt := range bearerTests {
		f.Add(tt.header)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, ok := bearerToken(header)
		if !ok {
			if token != "" {
				t.Fatalf("refused header %q yields token %q", header, token)
			}
			return
		}
		if token == "" || strings.ContainsAny(token, " \t") {
			t.Fatalf("header %q yields token %q", header, token)
		}
		if again, ok := bearerToken("Bearer " + token); !ok || again != token {
			t.Fatalf("token %q does not round-trip: %q, %v", token, again, ok)
		}
	})
}

func TestTokenEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"secret", "secret", true},
		{"secret", "secreT", false},
		{"secret", "secret2", false},
		{"", "secret", false},
	}
	for _, tt := range tests {
		if got := tokenEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("tokenEqual(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAdminAuth(t *testing.T) {
	tests := []struct {
		name       string
		adminToken string
		header     string
		status     int
		challenge  string // exact WWW-Authenticate, "" for none
		reason     string // auth failure metric label, "" for none
	}{
		{"disabled", "", "", http.StatusForbidden, "", "disabled"},
		{"disabled with a token", "", "Bearer " + testAdminToken, http.StatusForbidden, "", "disabled"},
		{"missing", testAdminToken, "", http.StatusUnauthorized, `Bearer realm="mediagate"`, "missing"},
		{"other scheme", testAdminToken, "Basic YWRtaW46eA==", http.StatusUnauthorized, `Bearer realm="mediagate"`, "missing"},
		{"wrong", testAdminToken, "Bearer nope", http.StatusUnauthorized, `Bearer realm="mediagate", error="invalid_token"`, "invalid"},
		{"prefix", testAdminToken, "Bearer " + testAdminToken[:5], http.StatusUnauthorized, `Bearer realm="mediagate", error="invalid_token"`, "invalid"},
		{"longer", testAdminToken, "Bearer " + testAdminToken + "x", http.StatusUnauthorized, `Bearer realm="mediagate", error="invalid_token"`, "invalid"},
		{"right", testAdminToken, "Bearer " + testAdminToken, http.StatusOK, "", ""},
		{"right, lower-case scheme", testAdminToken, "bearer " + testAdminToken, http.StatusOK, "", ""},
	}
	for _, path := range []string{"/api/v1/streams", "/api/v1/streams/cam1", "/api/v1/events"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				f := newFixture(t, func(h *Handler) { h.AdminToken = tt.adminToken })
				resp := authRequest(t, f, path, tt.header)
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
				}
				if got := resp.Header.Get("WWW-Authenticate"); got != tt.challenge {
					t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
				}
				if tt.reason == "" {
					return
				}
				checkProblem(t, resp, tt.status)
				if got := metricValue(t, f.reg, "mediagate_api_auth_failures_total", map[string]string{"reason": tt.reason}); got != 1 {
					t.Errorf("auth failures{reason=%q} = %v, want 1", tt.reason, got)
				}
			})
		}
	}
}

// authRequest sends one GET and returns the response with its headers read;
// the body is closed at once, which also ends an event stream.
func authRequest(t *testing.T, f *fixture, path, header string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+path, nil)
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// checkProblem asserts an RFC 9457 body with the given status.
func checkProblem(t *testing.T, resp *http.Response, status int) problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	if p.Status != status || p.Title != http.StatusText(status) || p.Type != "about:blank" || p.Detail == "" {
		t.Errorf("problem %+v, want status %d with a title and a detail", p, status)
	}
	return p
}

func TestTokensNeverLogged(t *testing.T) {
	f := newFixture(t, nil)
	const forged = "forged-91c2e7"
	for _, header := range []string{"Bearer " + forged, "Bearer " + testAdminToken, ""} {
		authRequest(t, f, "/api/v1/streams", header)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "control API request refused") {
		t.Errorf("no refusal logged:\n%s", logs)
	}
	for _, secret := range []string{forged, testAdminToken, "Authorization"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

// TestAuthThrottle: a client that sends wrong tokens gets 429 with
// Retry-After once its failures are spent — its right token too, until it
// has waited — while another client is served; the refusals are logged at
// most once a second and counted.
func TestAuthThrottle(t *testing.T) {
	f := newFixture(t, func(h *Handler) { h.AuthThrottle = signal.NewFailureThrottle(0.2, 5) })
	codes := map[int]int{}
	for range 200 {
		resp := authRequest(t, f, "/api/v1/streams", "Bearer wrong-token-guess")
		codes[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	if codes[http.StatusUnauthorized] != 5 || codes[http.StatusTooManyRequests] != 195 {
		t.Fatalf("answers to 200 wrong tokens: %v, want 5×401 then 429", codes)
	}
	resp := authRequest(t, f, "/api/v1/streams", "Bearer "+testAdminToken)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the throttled client's right token: %d, want 429", resp.StatusCode)
	}
	checkProblem(t, resp, http.StatusTooManyRequests)

	req := httptest.NewRequest(http.MethodGet, "/api/v1/streams", nil)
	req.RemoteAddr = "192.0.2.7:4000"
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	rec := httptest.NewRecorder()
	mux := http.NewServeMux()
	f.h.Routes(mux)
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("another client: %d", rec.Code)
	}
	if got := metricValue(t, f.reg, "mediagate_api_auth_failures_total", map[string]string{"reason": "throttled"}); got != 196 {
		t.Errorf("throttled refusals counted %v, want 196", got)
	}
	if n := strings.Count(f.logs.String(), "control API"); n < 1 || n > 3 {
		t.Errorf("%d log lines for 201 refusals in well under a second, want 1 or 2", n)
	}
}
