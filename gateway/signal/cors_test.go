package signal

import (
	"net/http"
	"testing"
)

func TestMethods(t *testing.T) {
	tests := []struct {
		name, method, target string
		hdr                  []string
		want                 int
		allow, contentType   string
		links                int
	}{
		{name: "GET endpoint", method: "GET", target: "/whep/cam1", want: 204},
		{name: "GET endpoint with token", method: "GET", target: "/whep/cam2", want: 204},
		{name: "GET unknown stream", method: "GET", target: "/whep/nope", want: 404},
		{name: "HEAD endpoint", method: "HEAD", target: "/whep/cam1", want: 200, contentType: SDPContentType},
		{name: "HEAD unknown stream", method: "HEAD", target: "/whep/nope", want: 404},
		{name: "GET session", method: "GET", target: "session", want: 204},
		{name: "HEAD session", method: "HEAD", target: "session", want: 204},
		{name: "OPTIONS session", method: "OPTIONS", target: "session", want: 204, allow: allowSession},
		{name: "PUT endpoint", method: "PUT", target: "/whep/cam1", want: 405, allow: allowEndpoint},
		{name: "PATCH endpoint", method: "PATCH", target: "/whep/cam1", want: 405, allow: allowEndpoint},
		{name: "DELETE endpoint", method: "DELETE", target: "/whep/cam1", want: 405, allow: allowEndpoint},
		{name: "PUT session", method: "PUT", target: "session", want: 405, allow: allowSession},
		{name: "POST session", method: "POST", target: "session", want: 405, allow: allowSession},
		{name: "empty stream", method: "GET", target: "/whep/", want: 404},
		{name: "outside prefix", method: "GET", target: "/other/cam1", want: 404},
		{name: "plain OPTIONS", method: "OPTIONS", target: "/whep/cam1", want: 204, allow: allowEndpoint, links: 1},
		{name: "plain OPTIONS without token", method: "OPTIONS", target: "/whep/cam2", want: 401},
		{name: "plain OPTIONS with token", method: "OPTIONS", target: "/whep/cam2", hdr: []string{"Authorization", "Bearer token-2"}, want: 204, allow: allowEndpoint, links: 1},
		{name: "plain OPTIONS unknown stream", method: "OPTIONS", target: "/whep/nope", want: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			target := tc.target
			if target == "session" {
				target, _ = e.create()
			}
			rec := e.do(tc.method, target, "", tc.hdr...)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
			hdr := rec.Header()
			if got := hdr.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			if tc.contentType != "" && hdr.Get("Content-Type") != tc.contentType {
				t.Errorf("Content-Type = %q", hdr.Get("Content-Type"))
			}
			if got := len(hdr.Values("Link")); got != tc.links {
				t.Errorf("%d Link headers, want %d", got, tc.links)
			}
			if tc.want < 300 && tc.method != "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("body %q", rec.Body)
			}
			if tc.method == "OPTIONS" && tc.want == 204 {
				accept, want := hdr.Get("Accept-Post"), SDPContentType
				if tc.target == "session" {
					accept, want = hdr.Get("Accept-Patch"), SDPFragContentType
				}
				if accept != want {
					t.Errorf("OPTIONS accepts %q, want %q", accept, want)
				}
			}
		})
	}
}

func TestCORS(t *testing.T) {
	const allowed, other = "https://player.example", "https://evil.example"
	preflight := func(origin string) []string {
		return []string{"Origin", origin, "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "authorization, content-type"}
	}
	tests := []struct {
		name, method, target string
		origins              []string
		hdr                  []string
		want                 int
		acao                 string
		preflight            bool // expects the preflight headers
		vary                 bool
	}{
		{name: "preflight, token stream, no auth", method: "OPTIONS", target: "/whep/cam2", hdr: preflight(allowed), want: 204, acao: allowed, preflight: true, vary: true},
		{name: "preflight, unknown stream", method: "OPTIONS", target: "/whep/nope", hdr: preflight(allowed), want: 204, acao: allowed, preflight: true, vary: true},
		{name: "preflight, session URL", method: "OPTIONS", target: "/whep/cam1/" + "00112233445566778899aabbccddeeff", hdr: preflight(allowed), want: 204, acao: allowed, preflight: true, vary: true},
		{name: "preflight, unknown origin", method: "OPTIONS", target: "/whep/cam2", hdr: preflight(other), want: 204, vary: true},
		{name: "preflight, no origin", method: "OPTIONS", target: "/whep/cam2", hdr: []string{"Access-Control-Request-Method", "POST"}, want: 204, vary: true},
		{name: "preflight, wildcard", method: "OPTIONS", target: "/whep/cam2", origins: []string{"*"}, hdr: preflight(other), want: 204, acao: "*", preflight: true},
		{name: "preflight, trailing slash in config", method: "OPTIONS", target: "/whep/cam2", origins: []string{allowed + "/"}, hdr: preflight(allowed), want: 204, acao: allowed, preflight: true, vary: true},
		{name: "preflight, no origins configured", method: "OPTIONS", target: "/whep/cam2", origins: []string{}, hdr: preflight(allowed), want: 204},
		{name: "POST from allowed origin", method: "POST", target: "/whep/cam1", hdr: []string{"Origin", allowed, "Content-Type", SDPContentType}, want: 201, acao: allowed, vary: true},
		{name: "401 from allowed origin", method: "POST", target: "/whep/cam2", hdr: []string{"Origin", allowed, "Content-Type", SDPContentType}, want: 401, acao: allowed, vary: true},
		{name: "POST from unknown origin", method: "POST", target: "/whep/cam1", hdr: []string{"Origin", other, "Content-Type", SDPContentType}, want: 201, vary: true},
		{name: "GET from wildcard", method: "GET", target: "/whep/cam1", origins: []string{"*"}, hdr: []string{"Origin", other}, want: 204, acao: "*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(h *Handler) {
				if tc.origins != nil {
					h.CORSOrigins = tc.origins
				}
			})
			body := ""
			if tc.method == "POST" {
				body = testOffer
			}
			rec := e.do(tc.method, tc.target, body, tc.hdr...)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
			checkCORSHeaders(t, rec.Header(), tc.acao, tc.preflight, tc.vary)
			if tc.method == "OPTIONS" {
				hdr := rec.Header()
				if hdr.Get("Accept-Post") != SDPContentType || len(hdr.Values("Link")) != 0 || hdr.Get("WWW-Authenticate") != "" {
					t.Errorf("preflight headers: %v", hdr)
				}
			}
		})
	}
}

// checkCORSHeaders asserts the CORS headers of a response (W15, W16).
func checkCORSHeaders(t *testing.T, hdr http.Header, acao string, preflight, vary bool) {
	t.Helper()
	if got := hdr.Get("Access-Control-Allow-Origin"); got != acao {
		t.Errorf("ACAO = %q, want %q", got, acao)
	}
	expose := ""
	if acao != "" {
		expose = corsExpose
	}
	if got := hdr.Get("Access-Control-Expose-Headers"); got != expose {
		t.Errorf("Expose-Headers = %q, want %q", got, expose)
	}
	want := map[string]string{"Access-Control-Allow-Methods": "", "Access-Control-Allow-Headers": "", "Access-Control-Max-Age": ""}
	if preflight {
		want = map[string]string{"Access-Control-Allow-Methods": corsMethods, "Access-Control-Allow-Headers": corsHeaders, "Access-Control-Max-Age": "7200"}
	}
	for k, v := range want {
		if got := hdr.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := hdr.Get("Vary") == "Origin"; got != vary {
		t.Errorf("Vary = %q", hdr.Get("Vary"))
	}
}
