package httpserver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/config"
)

// TestServeSwapDrain: the server serves the routes it was given, a new
// mux applies to the next request, and once draining every new request is
// answered 503 with Retry-After while the listener stays open.
func TestServeSwapDrain(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(ln, config.HTTP{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 2)
	s.Serve(errc)
	t.Cleanup(func() {
		_ = s.Shutdown(context.Background())
		s.Close()
	})
	url := "http://" + s.Addr().String() + "/x"
	get := func() *http.Response {
		t.Helper()
		c := &http.Client{Timeout: 5 * time.Second}
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	mux := func(code int) *http.ServeMux {
		m := http.NewServeMux()
		m.HandleFunc("/x", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) })
		return m
	}
	s.SetRoutes(mux(http.StatusTeapot))
	if got := get().StatusCode; got != http.StatusTeapot {
		t.Fatalf("status %d, want the first routes' 418", got)
	}
	s.SetRoutes(mux(http.StatusAccepted))
	if got := get().StatusCode; got != http.StatusAccepted {
		t.Fatalf("status %d, want the swapped routes' 202", got)
	}
	select {
	case <-s.Drain():
	case <-time.After(5 * time.Second):
		t.Fatal("drain did not finish with no request in flight")
	}
	if n, draining := s.InFlight(); n != 0 || !draining {
		t.Errorf("InFlight = %d, %v; want 0, true", n, draining)
	}
	resp := get()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("while draining: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve ended with %v, want http.ErrServerClosed", err)
	}
	if s.TLSAddr() != nil {
		t.Error("a TLS address without [http.tls]")
	}
}
