package ratelog

import (
	"log"
	"strings"
)

// StdLogger returns a *log.Logger for a library that logs through the
// standard log package, such as net/http's Server.ErrorLog ("http: TLS
// handshake error from …"): each of its lines becomes one warning msg
// through l, the line's text in the attribute "error", at most once per
// Interval. A scanner that opens a thousand bad TLS connections costs one
// line a second, not a thousand.
func (l *Logger) StdLogger(msg string) *log.Logger {
	return log.New(stdWriter{l: l, msg: msg}, "", 0)
}

// stdWriter turns each Write of a log.Logger (one line) into a warning.
type stdWriter struct {
	l   *Logger
	msg string
}

// Write logs p, one line of the standard logger, and never fails.
func (w stdWriter) Write(p []byte) (int, error) {
	w.l.Warn(w.msg, "error", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
