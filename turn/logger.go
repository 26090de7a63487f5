package turn

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/pion/logging"
)

// rateLog logs a hot-path problem at most once per second; the problems it
// swallows in between are counted by the caller's metrics.
type rateLog struct {
	log  *slog.Logger
	last atomic.Int64 // unix nanoseconds of the last message
}

// Warn logs at warning level unless a message went out less than a second ago.
func (r *rateLog) Warn(msg string, args ...any) {
	if r.due() {
		r.log.Warn(msg, args...)
	}
}

// due reports whether a message may go out now, and if so takes the slot:
// callers whose arguments cost something to build check it first.
func (r *rateLog) due() bool {
	now := time.Now().UnixNano()
	last := r.last.Load()
	return now-last >= int64(time.Second) && r.last.CompareAndSwap(last, now)
}

// levelTrace is below slog's debug level.
const levelTrace = slog.LevelDebug - 4

// pionLoggerFactory bridges pion/turn's logging into slog: its info,
// warnings and errors at debug level, its debug and trace output (lines
// per datagram) below that. pion logs some conditions per datagram (a
// packet with no permission is an Info), which must never reach an
// operator's log at normal levels; mediagate logs what matters itself,
// rate-limited, and counts it.
type pionLoggerFactory struct{ log *slog.Logger }

// NewLogger returns a pion logger for one pion subsystem.
func (f pionLoggerFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With("pion", scope)}
}

// pionLogger implements pion's logging.LeveledLogger on slog, at the
// levels pionLoggerFactory describes.
type pionLogger struct{ log *slog.Logger }

func (l pionLogger) emit(level slog.Level, pionLevel, format string, args ...any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	l.log.Log(context.Background(), level, msg, "pion_level", pionLevel)
}

// The LeveledLogger methods.
func (l pionLogger) Trace(msg string)               { l.emit(levelTrace, "trace", "%s", msg) }
func (l pionLogger) Tracef(format string, a ...any) { l.emit(levelTrace, "trace", format, a...) }
func (l pionLogger) Debug(msg string)               { l.emit(levelTrace, "debug", "%s", msg) }
func (l pionLogger) Debugf(format string, a ...any) { l.emit(levelTrace, "debug", format, a...) }
func (l pionLogger) Info(msg string)                { l.emit(slog.LevelDebug, "info", "%s", msg) }
func (l pionLogger) Infof(format string, a ...any)  { l.emit(slog.LevelDebug, "info", format, a...) }
func (l pionLogger) Warn(msg string)                { l.emit(slog.LevelDebug, "warn", "%s", msg) }
func (l pionLogger) Warnf(format string, a ...any)  { l.emit(slog.LevelDebug, "warn", format, a...) }
func (l pionLogger) Error(msg string)               { l.emit(slog.LevelDebug, "error", "%s", msg) }
func (l pionLogger) Errorf(format string, a ...any) { l.emit(slog.LevelDebug, "error", format, a...) }
