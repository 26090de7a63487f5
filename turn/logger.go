package turn

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

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
