package api

import (
	"context"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
)

// secrets are strings no page may contain.
var secrets = []string{testAdminToken, testViewerToken, testListen, "127.0.0.1"}

func checkPage(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("no Content-Security-Policy")
	}
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("page contains %q", s)
		}
	}
	if inline := regexp.MustCompile(`<script>|<script [^>]*>[^<]|<style|\sstyle=|\son[a-z]+=`); inline.MatchString(body) {
		t.Errorf("page has inline script or style (%q), which the CSP forbids", inline.FindString(body))
	}
}

func TestIndexPage(t *testing.T) {
	f := newFixture(t, nil)
	odd := stream.New(`a b<c>"&`, nil, nil, nil)
	if err := f.hub.Add(odd); err != nil {
		t.Fatal(err)
	}
	resp, body := f.get(t, "/", "")
	checkPage(t, resp, body, http.StatusOK)
	for _, want := range []string{
		`href="/view/cam1"`, `href="/view/cam2"`,
		`<span class="name">cam1</span>`, `<span class="badge up">up</span>`, "2 viewers",
		`<span class="name">cam2</span>`, `<span class="badge down">down</span>`, "0 viewers",
		`href="/view/a%20b%3Cc%3E%22&amp;"`, `<span class="name">a b&lt;c&gt;&#34;&amp;</span>`,
		`href="/static/style.css"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %q:\n%s", want, body)
		}
	}
	if strings.Index(body, "cam1") > strings.Index(body, "cam2") {
		t.Error("streams are not sorted by name")
	}
}

func TestIndexPageEmpty(t *testing.T) {
	f := newFixture(t, func(h *Handler) { h.Hub = stream.NewHub() })
	resp, body := f.get(t, "/", "")
	checkPage(t, resp, body, http.StatusOK)
	if !strings.Contains(body, "No streams are configured.") {
		t.Errorf("empty index says:\n%s", body)
	}
}

func TestViewPage(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/view/cam1", http.StatusOK, []string{
			`data-stream="cam1"`, `<video id="video" autoplay muted playsinline`,
			`<script src="/static/player.js"></script>`, `type="password"`,
		}},
		{"/view/unknown", http.StatusNotFound, []string{"There is no stream called “unknown”."}},
		{"/view/%3Cb%3E", http.StatusNotFound, []string{"There is no stream called “&lt;b&gt;”."}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := f.get(t, tt.path, "")
			checkPage(t, resp, body, tt.status)
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

func TestStaticFiles(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		path        string
		status      int
		contentType string
		contains    string
	}{
		{"/static/player.js", http.StatusOK, "text/javascript; charset=utf-8", "window.mediagatePlayer"},
		{"/static/style.css", http.StatusOK, "text/css; charset=utf-8", ".stats"},
		{"/static/favicon.svg", http.StatusOK, "image/svg+xml", "<svg"},
		{"/static/missing.js", http.StatusNotFound, "application/problem+json", "no such file"},
		{"/static/", http.StatusNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := f.get(t, tt.path, "")
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); tt.contentType != "" && ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if !strings.Contains(body, tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
		})
	}
}

func TestStaticConditional(t *testing.T) {
	f := newFixture(t, nil)
	resp, _ := f.get(t, "/static/player.js", "")
	etag := resp.Header.Get("ETag")
	if !regexp.MustCompile(`^"[A-Za-z0-9_-]{22}"$`).MatchString(etag) {
		t.Fatalf("ETag %q, want a strong quoted tag", etag)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+"/static/player.js", nil)
	req.Header.Set("If-None-Match", etag)
	again, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: status %d, want 304", again.StatusCode)
	}
}

// TestNoExternalResources checks that the embedded player works from the
// binary alone: no file refers to another host.
func TestNoExternalResources(t *testing.T) {
	external := regexp.MustCompile(`(?i)(https?:|wss?:)?//[a-z0-9-]+(\.[a-z0-9-]+)+`)
	for _, root := range []fs.FS{templateFS, staticFS} {
		err := fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			body, err := fs.ReadFile(root, name)
			if err != nil {
				return err
			}
			for _, m := range external.FindAllString(string(body), -1) {
				if m != "http://www.w3.org" { // the SVG namespace name, never fetched
					t.Errorf("%s refers to %q", name, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
