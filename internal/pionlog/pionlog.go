// Package pionlog bridges pion's logging.LoggerFactory into log/slog, for
// the pion stacks mediagate runs: WebRTC (egress, WHIP) and TURN. pion
// logs conditions of single peers and single datagrams — a failed
// candidate pair, a packet without a permission — that must never reach an
// operator's log at normal levels: mediagate logs what matters itself,
// rate-limited, and counts it. So every pion message goes out at debug
// level or below, tagged with pion's scope and level, and with the values
// of the secrets pion writes (a peer's ICE password, "remotePwd: …")
// replaced by "[redacted]".
package pionlog

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// LevelTrace is below slog's debug level: pion's trace output only shows
// when a handler is set that low on purpose.
const LevelTrace = slog.LevelDebug - 4

// Factory is a pion LoggerFactory writing to Log. pion's info, warnings and
// errors go out at slog's debug level, its trace output at LevelTrace, and
// its debug output at DebugLevel: slog's debug for most stacks, LevelTrace
// for those whose debug output is a line per datagram (TURN).
type Factory struct {
	Log        *slog.Logger
	DebugLevel slog.Level
}

// NewLogger returns a pion logger for one pion subsystem.
func (f Factory) NewLogger(scope string) logging.LeveledLogger {
	return logger{log: f.Log.With("pion", scope), debug: f.DebugLevel}
}

// logger implements pion's logging.LeveledLogger on slog.
type logger struct {
	log   *slog.Logger
	debug slog.Level
}

func (l logger) emit(level slog.Level, pionLevel, format string, args ...any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	l.log.Log(context.Background(), level, redact(msg), "pion_level", pionLevel)
}

// The LeveledLogger methods.
func (l logger) Trace(msg string)               { l.emit(LevelTrace, "trace", "%s", msg) }
func (l logger) Tracef(format string, a ...any) { l.emit(LevelTrace, "trace", format, a...) }
func (l logger) Debug(msg string)               { l.emit(l.debug, "debug", "%s", msg) }
func (l logger) Debugf(format string, a ...any) { l.emit(l.debug, "debug", format, a...) }
func (l logger) Info(msg string)                { l.emit(slog.LevelDebug, "info", "%s", msg) }
func (l logger) Infof(format string, a ...any)  { l.emit(slog.LevelDebug, "info", format, a...) }
func (l logger) Warn(msg string)                { l.emit(slog.LevelDebug, "warn", "%s", msg) }
func (l logger) Warnf(format string, a ...any)  { l.emit(slog.LevelDebug, "warn", format, a...) }
func (l logger) Error(msg string)               { l.emit(slog.LevelDebug, "error", "%s", msg) }
func (l logger) Errorf(format string, a ...any) { l.emit(slog.LevelDebug, "error", format, a...) }
