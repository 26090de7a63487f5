package signal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	errPrivate := NewError("private text", ErrConflict)
	tests := []struct {
		err  error
		want int
	}{
		{ErrMalformedOffer, http.StatusBadRequest},
		{fmt.Errorf("x: %w", ErrMalformedFrag), http.StatusBadRequest},
		{NewError("off", ErrForbidden), http.StatusForbidden},
		{NewError("gone", ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("stream cam: %w", errPrivate), http.StatusConflict},
		{NewError("no", ErrUnacceptable), http.StatusUnprocessableEntity},
		{NewError("full", ErrUnavailable), http.StatusServiceUnavailable},
		{fmt.Errorf("gathering: %w", context.DeadlineExceeded), http.StatusServiceUnavailable},
		{errors.New("internal"), http.StatusInternalServerError},
		{ErrTooManyCandidates, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		code, typ := Classify(tc.err)
		if code != tc.want || typ != "about:blank" {
			t.Errorf("Classify(%v) = %d %q, want %d about:blank", tc.err, code, typ, tc.want)
		}
	}
	for err, want := range map[error]string{
		fmt.Errorf("%w: 10 sessions", NewError("viewer capacity reached", ErrUnavailable)): "viewer capacity reached",
		fmt.Errorf("gathering: %w", context.DeadlineExceeded):                              "",
		errors.New("internal"): "",
	} {
		if got := Reason(err); got != want {
			t.Errorf("Reason(%v) = %q, want %q", err, got, want)
		}
	}
	if errPrivate.Error() != "private text" || !errors.Is(errPrivate, ErrConflict) || errors.Is(errPrivate, ErrNotFound) {
		t.Errorf("NewError: %q", errPrivate)
	}
}

// TestLogsNameTheEndpoint: a WHIP handler's refusals say "whip", never
// "whep", and every line carries endpoint=whip.
func TestLogsNameTheEndpoint(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, func(h *Handler) {
		h.Name, h.Path = "whip", "/whip/"
		h.Log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	e.setOpenErr(errUnacceptable)
	if rec := e.do("POST", "/whip/cam1", testOffer, "Content-Type", SDPContentType); rec.Code != 422 {
		t.Fatalf("POST: %d", rec.Code)
	}
	out := buf.String()
	if !strings.Contains(out, "whip open refused") || strings.Contains(out, "whep") {
		t.Errorf("log:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(line, "endpoint=whip") {
			t.Errorf("line without endpoint=whip: %s", line)
		}
	}
}
