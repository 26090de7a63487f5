package forward

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestClientCreateFollowsRedirects: a POST redirected by 307 to another
// host keeps its body and token; the session URL is resolved against the
// host that answered; ETag and the ice-server links are kept; PATCH sends
// If-Match (the ETag, or * for a restart) and DELETE ends the session.
func TestClientCreateFollowsRedirects(t *testing.T) {
	var got []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+r.Header.Get("If-Match")+" "+string(body))
		switch r.Method {
		case http.MethodPost:
			w.Header().Set("Location", "session/1")
			w.Header().Set("ETag", `"e1"`)
			w.Header().Add("Link", `<turn:turn.example:3478?transport=udp>; rel="ice-server"; username="u"; credential="c", <https://x>; rel="help"`)
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "v=0\r\n")
		case http.MethodPatch:
			w.Header().Set("ETag", `"e2"`)
			_, _ = io.WriteString(w, "a=ice-ufrag:abcd\r\n")
		case http.MethodDelete:
			w.WriteHeader(http.StatusNotFound) // already gone counts as done
		}
	}))
	defer target.Close()
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target.URL+"/whip/endpoint")
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	defer lb.Close()

	c := Client{Token: func() (string, error) { return "tok", nil }}
	ctx := context.Background()
	ans, err := c.Create(ctx, lb.URL+"/whip", "v=0 offer")
	if err != nil {
		t.Fatal(err)
	}
	if ans.Resource.URL != target.URL+"/whip/session/1" || ans.Resource.ETag != `"e1"` || ans.SDP != "v=0\r\n" {
		t.Errorf("answer %+v, resource %+v", ans, ans.Resource)
	}
	if len(ans.ICEServers) != 1 || ans.ICEServers[0].URLs[0] != "turn:turn.example:3478?transport=udp" ||
		ans.ICEServers[0].Username != "u" || ans.ICEServers[0].Credential != "c" {
		t.Errorf("ice servers %+v", ans.ICEServers)
	}
	if _, err := c.Patch(ctx, ans.Resource, "a=candidate:1", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Patch(ctx, ans.Resource, "a=ice-ufrag:new", true); err != nil || ans.Resource.ETag != `"e2"` {
		t.Fatalf("restart: %v, etag %s", err, ans.Resource.ETag)
	}
	if err := c.Delete(ctx, ans.Resource); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /whip/endpoint Bearer tok  v=0 offer",
		`PATCH /whip/session/1 Bearer tok "e1" a=candidate:1`,
		"PATCH /whip/session/1 Bearer tok * a=ice-ufrag:new",
		"DELETE /whip/session/1 Bearer tok  ",
	}
	if len(got) != len(want) {
		t.Fatalf("requests %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// TestClientErrors: what each broken answer becomes, and whether it is
// worth a retry.
func TestClientErrors(t *testing.T) {
	cases := []struct {
		name      string
		handler   http.HandlerFunc
		reason    string
		permanent bool
	}{
		{"500", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }, "http_500", false},
		{"503", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }, "http_503", false},
		{"401", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(401) }, "http_401", true},
		{"403", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(403) }, "http_403", true},
		{"404", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) }, "http_404", true},
		{"422", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(422) }, "http_422", true},
		{"303", func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Location", "/x"); w.WriteHeader(303) }, "redirect_kind", true},
		{"loop", func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Location", "/again"); w.WriteHeader(308) }, "redirect_loop", true},
		{"no location", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(201); _, _ = io.WriteString(w, "v=0\r\n") }, "bad_answer", false},
		{"not sdp", func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Location", "/s"); w.WriteHeader(201) }, "bad_answer", false},
		{"silent", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "timeout", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leave
				c.handler(w, r)
			}))
			defer srv.Close()
			_, err := (&Client{Timeout: 200 * time.Millisecond}).Create(context.Background(), srv.URL+"/whip", "v=0")
			if err == nil || Reason(err) != c.reason || Permanent(err) != c.permanent {
				t.Errorf("err %v: reason %q permanent %v, want %q %v", err, Reason(err), Permanent(err), c.reason, c.permanent)
			}
		})
	}
	var se *StatusError
	if _, err := (&Client{}).Create(context.Background(), "https://127.0.0.1:1/x", "v=0"); errors.As(err, &se) || Permanent(err) {
		t.Errorf("refused connection: %v, want a transport error worth a retry", err)
	}
}

// TestBackoff: doubling from min to max, each wait jittered within
// [half, whole], and reset starting over.
func TestBackoff(t *testing.T) {
	b := backoff{min: 100 * time.Millisecond, max: 800 * time.Millisecond}
	for i, whole := range []time.Duration{100, 200, 400, 800, 800} {
		whole *= time.Millisecond
		if d := b.wait(); d < whole/2 || d > whole {
			t.Errorf("wait %d: %v, want within [%v, %v]", i, d, whole/2, whole)
		}
	}
	b.reset()
	if d := b.wait(); d > 100*time.Millisecond {
		t.Errorf("after reset: %v", d)
	}
}

// TestRedact: logs never show user info or the query.
func TestRedact(t *testing.T) {
	if got := Redact("https://user:pw@sfu.example/whip?access_token=x#f"); got != "https://sfu.example/whip" {
		t.Errorf("Redact = %q", got)
	}
}
