package signal

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// maxLoggedString bounds a request-derived string in a log record.
const maxLoggedString = 128

// closedDetail is the detail of the 503 that a closed handler, or one
// without an Opener, answers a POST with; WHIP has always answered it too.
const closedDetail = "not accepting viewers"

// statusWriter records the status code for metrics and logs.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records code and passes it on.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and passes b on.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code returns the status sent, 200 when nothing was written.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// fail answers an error of Open or Restart with the status and problem
// type Classify gives it. Client errors carry the error's text as detail;
// server errors their sentinel's text (Reason: "viewer capacity reached")
// or else a generic one, so internals stay in the log. The log line names
// the endpoint ("whip open refused").
func (h *Handler) fail(w http.ResponseWriter, log *slog.Logger, op string, err error) {
	code, typ := Classify(err)
	if code < 500 {
		log.Debug(h.name+" "+op+" refused", "status", code, "err", escape(err.Error()))
		writeProblem(w, code, typ, err.Error())
		return
	}
	log.Warn(h.name+" "+op+" failed", "status", code, "err", escape(err.Error()))
	if code == http.StatusServiceUnavailable {
		SetRetryAfter(w.Header(), h.retryAfter())
	}
	detail := Reason(err)
	if detail == "" {
		detail = op + " failed"
	}
	writeProblem(w, code, typ, detail)
}

// unavailable answers 503 with Retry-After (RFC 9110 §15.6.4).
func (h *Handler) unavailable(w http.ResponseWriter, detail string) {
	SetRetryAfter(w.Header(), h.retryAfter())
	WriteProblem(w, http.StatusServiceUnavailable, detail)
}

func (h *Handler) retryAfter() time.Duration { return orDefault(h.RetryAfter, DefaultRetryAfter) }

func (h *Handler) openTimeout() time.Duration { return orDefault(h.OpenTimeout, DefaultOpenTimeout) }

func (h *Handler) maxBody() int64 { return orDefault(h.MaxBodyBytes, DefaultMaxBodyBytes) }

func (h *Handler) maxCandidates() int { return orDefault(h.MaxCandidates, DefaultMaxCandidates) }

// orDefault returns v unless it is zero or negative, then def.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// escape makes a request-derived string (SDP, URL) safe to log: printable
// ASCII with Go escapes for everything else, at most maxLoggedString bytes.
func escape(s string) string {
	if len(s) > maxLoggedString {
		s = s[:maxLoggedString]
	}
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}

// PublicID returns the name a session goes by in logs, events and webhooks:
// the first 8 hex digits of the SHA-256 of its ID. The session ID is the
// secret of the session URL (whoever knows it can PATCH or DELETE the
// session), so it is never logged or published; PublicID is enough to
// correlate the records of one session and says nothing about the ID.
func PublicID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:4])
}
