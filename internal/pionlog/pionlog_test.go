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

// TestRedact: the secrets pion writes never reach the log, and everything
// else of the message does.
func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{`Started agent: isControlling? false, remoteUfrag: "abcd", remotePwd: "s3cretpwdvalue0123456789"`,
			`Started agent: isControlling? false, remoteUfrag: "abcd", remotePwd: [redacted]`},
		{"password=hunter2 user=bob", "password=[redacted] user=bob"},
		{"sharedSecret: 'x y', next", "sharedSecret: [redacted], next"},
		{`pwd: "a\"b" done`, `pwd: [redacted] done`},
		{"pair 3 failed", "pair 3 failed"},
		{"no password configured", "no password configured"},
	}
	for _, c := range cases {
		if got := redact(c.in); got != c.want {
			t.Errorf("redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	var buf bytes.Buffer
	f := Factory{Log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), DebugLevel: slog.LevelDebug}
	f.NewLogger("ice").Debugf("remoteUfrag: %q, remotePwd: %q", "uf", "topsecretpassword")
	if strings.Contains(buf.String(), "topsecretpassword") || !strings.Contains(buf.String(), "[redacted]") {
		t.Fatalf("log output %q", buf.String())
	}
}
