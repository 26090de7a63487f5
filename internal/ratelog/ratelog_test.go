package ratelog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestOncePerInterval sends a burst of warnings, waits an interval and
// sends another: two lines, the second counting what the first burst held
// back.
func TestOncePerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		l := New(slog.New(slog.NewTextHandler(&buf, nil)))
		for range 100 {
			l.Warn("bad datagram", "reason", "short")
		}
		time.Sleep(Interval)
		l.Warn("bad datagram", "reason", "short")
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
		}
		if strings.Contains(lines[0], "suppressed") || !strings.Contains(lines[1], "suppressed=99") {
			t.Errorf("lines %q: want the second to say suppressed=99", lines)
		}
	})
}

func TestSilentDoesNotAllocate(t *testing.T) {
	l := New(nil)
	l.Warn("first")
	if n := testing.AllocsPerRun(100, func() { l.Warn("again", "n", 1) }); n != 0 {
		t.Errorf("a suppressed Warn allocates %v times", n)
	}
}

// TestStdLogger checks that a standard logger's lines arrive as structured
// warnings, at most one per interval, the next counting the held back.
func TestStdLogger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		std := New(slog.New(slog.NewTextHandler(&buf, nil))).StdLogger("http server")
		for range 50 {
			std.Printf("http: TLS handshake error from %s: EOF", "192.0.2.7:40000")
		}
		time.Sleep(Interval)
		std.Print("http: TLS handshake error from 192.0.2.8:40001: tls: first record does not look like a TLS handshake")
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d lines, want 2:\n%s", len(lines), buf.String())
		}
		if !strings.Contains(lines[0], `level=WARN msg="http server" error="http: TLS handshake error from 192.0.2.7:40000: EOF"`) ||
			strings.Contains(lines[0], "suppressed") {
			t.Errorf("first line %q", lines[0])
		}
		if !strings.Contains(lines[1], "192.0.2.8:40001") || !strings.HasSuffix(lines[1], "suppressed=49") {
			t.Errorf("second line %q: want the second error and suppressed=49", lines[1])
		}
	})
}
