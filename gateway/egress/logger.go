package egress

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// levelTrace is below slog's debug level: pion's trace output only shows
// when a handler is set that low on purpose.
const levelTrace = slog.LevelDebug - 4

// pionLoggerFactory bridges pion's LoggerFactory into slog. Every pion
// message is logged at debug (trace below it), tagged with pion's scope and
// level: pion's warnings about single peers are noise at an operator's level.
type pionLoggerFactory struct{ log *slog.Logger }

// NewLogger returns a pion logger for one pion subsystem.
func (f pionLoggerFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With("pion", scope)}
}

type pionLogger struct{ log *slog.Logger }

func (l pionLogger) emit(level slog.Level, pionLevel, msg string) {
	l.log.Log(context.Background(), level, msg, "pion_level", pionLevel)
}

func (l pionLogger) emitf(level slog.Level, pionLevel, format string, args ...any) {
	if l.log.Enabled(context.Background(), level) {
		l.emit(level, pionLevel, fmt.Sprintf(format, args...))
	}
}

func (l pionLogger) Trace(msg string)                  { l.emit(levelTrace, "trace", msg) }
func (l pionLogger) Tracef(format string, args ...any) { l.emitf(levelTrace, "trace", format, args...) }
func (l pionLogger) Debug(msg string)                  { l.emit(slog.LevelDebug, "debug", msg) }
func (l pionLogger) Debugf(format string, args ...any) {
	l.emitf(slog.LevelDebug, "debug", format, args...)
}
func (l pionLogger) Info(msg string) { l.emit(slog.LevelDebug, "info", msg) }
func (l pionLogger) Infof(format string, args ...any) {
	l.emitf(slog.LevelDebug, "info", format, args...)
}
func (l pionLogger) Warn(msg string) { l.emit(slog.LevelDebug, "warn", msg) }
func (l pionLogger) Warnf(format string, args ...any) {
	l.emitf(slog.LevelDebug, "warn", format, args...)
}
func (l pionLogger) Error(msg string) { l.emit(slog.LevelDebug, "error", msg) }
func (l pionLogger) Errorf(format string, args ...any) {
	l.emitf(slog.LevelDebug, "error", format, args...)
}
