package signal

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// ProblemContentType is the media type of RFC 9457 problem details.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object. Type is "about:blank"
// (Classify's problem type for every kind of refusal) and Title the status
// phrase (RFC 9457 §4.2.1); Detail says what was wrong with this request.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// WriteProblem answers with status and an RFC 9457 problem details body
// (RFC 9725 §4.1 allows them; players must not depend on them). Headers
// such as Retry-After or WWW-Authenticate must be set before the call.
func WriteProblem(w http.ResponseWriter, status int, detail string) {
	writeProblem(w, status, problemBlank, detail)
}

// writeProblem answers with status and a problem details body of type typ.
func writeProblem(w http.ResponseWriter, status int, typ, detail string) {
	body, err := json.Marshal(Problem{
		Type:   typ,
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
	})
	if err != nil {
		body = nil
	}
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// SetRetryAfter sets the Retry-After header (RFC 9110 §10.2.3) to d in
// whole seconds, rounded up, at least one.
func SetRetryAfter(h http.Header, d time.Duration) {
	secs := int64((d + time.Second - 1) / time.Second)
	h.Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
}

// HasMediaType reports whether the request's Content-Type is want, ignoring
// parameters such as charset (RFC 9110 §8.3.1: type and subtype are
// case-insensitive).
func HasMediaType(r *http.Request, want string) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil && err != mime.ErrInvalidMediaParameter {
		return false
	}
	return mt == want
}
