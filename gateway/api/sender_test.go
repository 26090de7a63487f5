package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/sendersdp"
	"mediagate.dev/mediagate/gateway/stream"
)

// fakeSenders records what the sender API asks of the gateway and answers
// with err when set.
type fakeSenders struct {
	mu   sync.Mutex
	last SenderRequest
	err  error
}

func (f *fakeSenders) CreateStream(_ context.Context, req SenderRequest) (SenderResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	if f.err != nil {
		return SenderResult{}, f.err
	}
	kind := "answer"
	if len(req.Offer) == 0 {
		kind = "offer"
	}
	return SenderResult{Name: "api-1", ViewerToken: "generated-token-0123456789", SDP: "v=0 " + kind}, nil
}

func (f *fakeSenders) StreamSDP(name string, local netip.Addr) (string, error) {
	if name != "cam1" {
		return "", fmt.Errorf("%q: %w", name, ErrUnknownStream)
	}
	return "v=0 at " + local.String(), nil
}

func (f *fakeSenders) RemoveStream(name string) error {
	if name != "api-1" {
		return fmt.Errorf("%q: %w", name, ErrUnknownStream)
	}
	return nil
}

// senderFixture serves the Handler's and the sender API's routes.
func senderFixture(t *testing.T, fake *fakeSenders) *httptest.Server {
	t.Helper()
	f := newFixture(t, nil)
	mux := http.NewServeMux()
	f.h.Routes(mux)
	(&Senders{API: f.h, Streams: fake, MaxBodyBytes: 2048}).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// call sends one request and returns the response and its body.
func call(t *testing.T, srv *httptest.Server, method, path, contentType, body, token string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestSenderAPI(t *testing.T) {
	const offer = "v=0\r\n"
	cases := []struct {
		name, method, path, ctype, body, token string
		status                                 int
		bodyHas                                string
	}{
		{"no token", "POST", "/api/v1/streams", "application/sdp", offer, "", 401, "bearer token"},
		{"wrong token", "DELETE", "/api/v1/streams/api-1", "", "", "nope", 401, "not valid"},
		{"sdp needs token", "GET", "/api/v1/streams/cam1/sdp", "", "", "", 401, ""},
		{"answer", "POST", "/api/v1/streams?name=x", "application/sdp; charset=utf-8", offer, testAdminToken, 201, "v=0 answer"},
		{"gateway offer", "POST", "/api/v1/streams?codec=vp8&srtp=none", "", "", testAdminToken, 201, "v=0 offer"},
		{"not sdp", "POST", "/api/v1/streams", "application/json", "{}", testAdminToken, 415, "application/sdp"},
		{"too large", "POST", "/api/v1/streams", "application/sdp", strings.Repeat("a", 4096), testAdminToken, 413, ""},
		{"unknown param", "POST", "/api/v1/streams?viewertoken=x", "", "", testAdminToken, 400, "viewertoken: unknown"},
		{"offer param with offer", "POST", "/api/v1/streams?codec=vp8", "application/sdp", offer, testAdminToken, 400, "codec: shapes the gateway's offer"},
		{"bad allow_from", "POST", "/api/v1/streams?allow_from=somewhere", "", "", testAdminToken, 400, "allow_from"},
		{"sdp", "GET", "/api/v1/streams/cam1/sdp", "", "", testAdminToken, 200, "v=0 at 127.0.0.1"},
		{"sdp unknown", "GET", "/api/v1/streams/nope/sdp", "", "", testAdminToken, 404, "no such stream"},
		{"delete", "DELETE", "/api/v1/streams/api-1", "", "", testAdminToken, 204, ""},
		{"delete unknown", "DELETE", "/api/v1/streams/nope", "", "", testAdminToken, 404, ""},
		{"list still GET", "GET", "/api/v1/streams/cam1", "", "", testAdminToken, 200, `"name":"cam1"`},
	}
	srv := senderFixture(t, &fakeSenders{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := call(t, srv, c.method, c.path, c.ctype, c.body, c.token)
			if resp.StatusCode != c.status || !strings.Contains(body, c.bodyHas) {
				t.Fatalf("%s %s = %d %q; want %d containing %q", c.method, c.path, resp.StatusCode, body, c.status, c.bodyHas)
			}
			if c.status == 201 {
				h := resp.Header
				if h.Get("Location") != "/api/v1/streams/api-1" || h.Get(StreamHeader) != "api-1" ||
					h.Get(ViewerTokenHeader) != "generated-token-0123456789" || h.Get("Content-Type") != "application/sdp" ||
					h.Get("Cache-Control") != "no-store" {
					t.Errorf("headers %v", h)
				}
			}
		})
	}
}

func TestSenderRequestParsing(t *testing.T) {
	fake := &fakeSenders{}
	srv := senderFixture(t, fake)
	path := "/api/v1/streams?name=cam9&viewer_token=tok-0123456789abcdef&allow_from=192.0.2.10,2001:db8::/32&allow_from=any"
	if resp, body := call(t, srv, "POST", path, "application/sdp", "v=0\r\n", testAdminToken); resp.StatusCode != 201 {
		t.Fatalf("POST = %d %s", resp.StatusCode, body)
	}
	got := fake.last
	want := []string{"192.0.2.10/32", "2001:db8::/32", "0.0.0.0/0", "::/0"}
	if got.Name != "cam9" || got.ViewerToken != "tok-0123456789abcdef" || !slices.Equal(got.AllowFrom, want) ||
		string(got.Offer) != "v=0\r\n" || got.Remote.String() != "127.0.0.1" || got.Local.String() != "127.0.0.1" {
		t.Errorf("request %+v", got)
	}
	if resp, _ := call(t, srv, "POST", "/api/v1/streams?audio=opus&srtp=AEAD_AES_128_GCM", "", "", testAdminToken); resp.StatusCode != 201 {
		t.Fatalf("gateway offer = %d", resp.StatusCode)
	}
	if got := fake.last; got.Offer != nil || got.Audio != "opus" || got.SRTP != "AEAD_AES_128_GCM" || got.AllowFrom != nil {
		t.Errorf("offer request %+v", got)
	}
}

func TestSenderErrors(t *testing.T) {
	suites := &sendersdp.UnsupportedSuitesError{Offered: []string{"F8_128_HMAC_SHA1_80"},
		Reasons: []string{"F8_128_HMAC_SHA1_80 (tag 1: not accepted)"}, Accepted: []string{"AEAD_AES_128_GCM"}}
	cases := []struct {
		err    error
		status int
	}{
		{fmt.Errorf("%w: junk", sendersdp.ErrBadOffer), 400},
		{fmt.Errorf("%w: recvonly", sendersdp.ErrUnacceptable), 422},
		{suites, 422},
		{fmt.Errorf("x: %w", stream.ErrExists), 409},
		{errors.New("disk on fire"), 500},
	}
	for _, c := range cases {
		fake := &fakeSenders{err: c.err}
		srv := senderFixture(t, fake)
		resp, body := call(t, srv, "POST", "/api/v1/streams", "application/sdp", "v=0\r\n", testAdminToken)
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%v: %d %s, want %d", c.err, resp.StatusCode, body, c.status)
		}
		if c.err == error(suites) {
			var p struct {
				Status   int      `json:"status"`
				Detail   string   `json:"detail"`
				Offered  []string `json:"offered_suites"`
				Accepted []string `json:"accepted_suites"`
			}
			if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != 422 ||
				!slices.Equal(p.Offered, suites.Offered) || !strings.Contains(p.Detail, "F8_128_HMAC_SHA1_80") {
				t.Errorf("problem %s (%v)", body, err)
			}
		}
	}
}

// allowFromCases seed FuzzAllowFrom.
var allowFromCases = []string{"192.0.2.10", "192.0.2.0/24,2001:db8::/32", "any", "::ffff:192.0.2.1", "nope", "1.2.3.4/33", ""}

// FuzzAllowFrom feeds arbitrary allow_from values to parseAllowFrom: it must
// never panic, and what it accepts must be CIDRs.
func FuzzAllowFrom(f *testing.F) {
	for _, c := range allowFromCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out, err := parseAllowFrom([]string{v})
		if err != nil {
			return
		}
		for _, p := range out {
			if _, err := netip.ParsePrefix(p); err != nil {
				t.Fatalf("parseAllowFrom(%q) gave %q: %v", v, p, err)
			}
		}
	})
}
