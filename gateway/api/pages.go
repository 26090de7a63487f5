package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"time"
)

// The player's files, built into the binary: page templates and the static
// JavaScript, CSS and icon they load.
var (
	//go:embed player/templates/*.html
	templateFS embed.FS
	//go:embed player/static
	staticFS embed.FS
)

// pages holds the parsed templates; the embedded files parse or the package's
// tests fail.
var pages = template.Must(template.ParseFS(templateFS, "player/templates/*.html"))

// staticTypes fixes the Content-Type of each static file extension, so it
// does not depend on the host's MIME tables.
var staticTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// staticFile is one embedded static file, ready to serve.
type staticFile struct {
	body        []byte
	etag        string
	contentType string
}

var staticFiles = loadStatic()

// loadStatic reads every embedded static file once, with a strong ETag.
func loadStatic() map[string]staticFile {
	files := make(map[string]staticFile)
	entries, _ := fs.ReadDir(staticFS, "player/static") // embedded: cannot fail
	for _, e := range entries {
		body, _ := fs.ReadFile(staticFS, "player/static/"+e.Name())
		sum := sha256.Sum256(body)
		ctype, ok := staticTypes[path.Ext(e.Name())]
		if !ok {
			ctype = "application/octet-stream"
		}
		files[e.Name()] = staticFile{
			body:        body,
			etag:        `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`,
			contentType: ctype,
		}
	}
	return files
}

// serveStatic answers GET /static/{file} from the embedded files, with
// conditional requests on the ETag (RFC 9110 §13.1.2).
func serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	f, ok := staticFiles[name]
	if !ok {
		writeProblem(w, http.StatusNotFound, fmt.Errorf("%q: no such file", name))
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}

// streamRow is one stream on the index page: its name, link and state only.
type streamRow struct {
	Name    string
	Href    string
	Up      bool
	Viewers int64
}

// serveIndex answers GET / with the list of streams.
func (h *Handler) serveIndex(w http.ResponseWriter, _ *http.Request) {
	list := h.streams()
	rows := make([]streamRow, 0, len(list))
	for _, s := range list {
		rows = append(rows, streamRow{
			Name:    s.Name,
			Href:    "/view/" + url.PathEscape(s.Name),
			Up:      s.Up(),
			Viewers: s.Viewers(),
		})
	}
	h.render(w, http.StatusOK, "index.html", rows)
}

// serveView answers GET /view/{name} with the player page, or a 404 page
// when no stream has that name.
func (h *Handler) serveView(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if h.lookup(name) == nil {
		h.render(w, http.StatusNotFound, "notfound.html", name)
		return
	}
	h.render(w, http.StatusOK, "view.html", name)
}

// render executes a page template into a buffer first, so that a failing
// template answers 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, status int, page string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, page, data); err != nil {
		h.logger().Error("rendering a page", "page", page, "error", err)
		writeProblem(w, http.StatusInternalServerError, nil)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
