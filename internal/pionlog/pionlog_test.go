package pionlog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestPionLogger(t *testing.T) {
	var buf bytes.Buffer
	f := Factory{Log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), DebugLevel: slog.LevelDebug}
	l := f.NewLogger("ice")
	l.Warnf("pair %d failed", 3)
	l.Tracef("not shown %d", 1)
	out := buf.String()
	if !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, `msg="pair 3 failed"`) ||
		!strings.Contains(out, "pion=ice") || !strings.Contains(out, "pion_level=warn") || strings.Contains(out, "not shown") {
		t.Fatalf("log output %q", out)
	}
}

// TestDebugLevel: a chatty stack's debug output goes below slog's debug.
func TestDebugLevel(t *testing.T) {
	var buf bytes.Buffer
	f := Factory{Log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), DebugLevel: LevelTrace}
	f.NewLogger("turn").Debugf("datagram %d", 1)
	if buf.Len() != 0 {
		t.Fatalf("debug output at trace level shown: %q", buf.String())
	}
}
