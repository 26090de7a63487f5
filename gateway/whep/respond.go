package whep

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// maxLoggedString bounds a request-derived string in a log record.
const maxLoggedString = 128

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

// statusFor maps an error of Open or Restart to a status through Classify.
func (h *Handler) statusFor(err error) int {
	code := 0
	if h.Classify != nil {
		code = h.Classify(err)
	}
	if code == 0 && errors.Is(err, context.DeadlineExceeded) {
		code = http.StatusServiceUnavailable
	}
	if code < 400 || code > 599 {
		code = http.StatusInternalServerError
	}
	return code
}

// fail answers an error of Open or Restart. Client errors carry the
// error's text as detail; server errors a generic one, so internals stay
// in the log.
func (h *Handler) fail(w http.ResponseWriter, log *slog.Logger, op string, err error) {
	code := h.statusFor(err)
	if code < 500 {
		log.Debug("whep "+op+" refused", "status", code, "err", escape(err.Error()))
		WriteProblem(w, code, err.Error())
		return
	}
	log.Warn("whep "+op+" failed", "status", code, "err", escape(err.Error()))
	if code == http.StatusServiceUnavailable {
		SetRetryAfter(w.Header(), h.retryAfter())
	}
	WriteProblem(w, code, op+" failed")
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

// shortID is the part of a session ID that logs carry: enough to correlate
// records, too little to address the session.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return escape(id)
}
