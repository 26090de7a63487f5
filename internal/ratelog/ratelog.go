// Package ratelog logs hot-path problems — a malformed datagram, a failed
// write, a refused relay — at most once per second, however often they
// happen, and says how many it held back in between. The problems
// themselves are counted in metrics by the caller; the log line is for the
// operator who wants to know what one of them looked like. It is shared by
// ingest, egress, the RTP output, the transcoder and the TURN server, which
// all face traffic that can repeat a problem thousands of times a second.
package ratelog

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// Interval is the least time between two messages of one Logger.
const Interval = time.Second

// Logger is a rate-limited slog.Logger. Its methods are safe for
// concurrent use and do not allocate when they stay silent.
type Logger struct {
	log        *slog.Logger
	last       atomic.Int64 // unix nanoseconds of the last message
	suppressed atomic.Int64 // messages held back since
}

// New returns a Logger writing to log (nil discards).
func New(log *slog.Logger) *Logger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Logger{log: log}
}

// Warn logs msg at warning level unless a message went out less than
// Interval ago; the first message after a quiet spell carries
// "suppressed", the number held back.
func (l *Logger) Warn(msg string, args ...any) {
	if !l.Due() {
		return
	}
	if n := l.suppressed.Swap(0); n > 0 {
		args = append(args, "suppressed", n)
	}
	l.log.Warn(msg, args...)
}

// Due reports whether a message may go out now and, if so, takes the slot;
// otherwise it counts one more message held back. Callers whose arguments
// cost something to build check it before building them.
func (l *Logger) Due() bool {
	now := time.Now().UnixNano()
	last := l.last.Load()
	if now-last >= int64(Interval) && l.last.CompareAndSwap(last, now) {
		return true
	}
	l.suppressed.Add(1)
	return false
}

// Log returns the underlying logger, for messages that are not rate-limited
// (a lifecycle event, not a per-packet problem).
func (l *Logger) Log() *slog.Logger { return l.log }
