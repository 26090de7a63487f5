package main

import (
	"log/slog"
	"os"

	"github.com/coreos/go-systemd/v22/journal"

	"mediagate.dev/mediagate/gateway/config"
)

// newLogger returns the process's logger and the level variable that
// log.level sets (at start and on reload). Under systemd, when stderr is
// the journal, records go to the journal natively with their attributes as
// fields; elsewhere they go to stderr as text or JSON (log.format).
func newLogger(c config.Log) (*slog.Logger, *slog.LevelVar) {
	level := new(slog.LevelVar)
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Level)); err == nil {
		level.Set(l)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if c.Format == "json" {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	if ok, _ := journal.StderrIsJournalStream(); ok {
		h = newJournalHandler(level, h)
	}
	return slog.New(h), level
}
