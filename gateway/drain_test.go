package gateway

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDrainAnswers503: while Shutdown waits for a request in flight (a
// client that sends its offer slowly) and ends the sessions, requests that
// arrive get 503 with Retry-After, not a refused connection; once the
// request is done, the listener closes.
func TestDrainAnswers503(t *testing.T) {
	cfg := testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, freePort(t, "udp")))
	gw := startGateway(t, cfg)
	addr := gw.HTTPAddr().String()

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if _, err := io.WriteString(slow, "POST /whep/cam HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n"+
		"Content-Length: 20\r\n\r\nv=0\r\n"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "the slow request in flight", func() bool {
		n, _ := gw.http.InFlight()
		return n == 1
	})

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- gw.Shutdown(ctx)
	}()
	waitUntil(t, 5*time.Second, "the drain", func() bool {
		_, draining := gw.http.InFlight()
		return draining
	})
	client := &http.Client{Timeout: 5 * time.Second}
	for _, req := range []struct{ method, path string }{{"GET", "/healthz"}, {"POST", "/whep/cam"}} {
		r, _ := http.NewRequest(req.method, gw.URL+req.path, strings.NewReader("v=0\r\n"))
		r.Header.Set("Content-Type", "application/sdp")
		resp, err := client.Do(r)
		if err != nil {
			t.Fatalf("%s %s during the drain: %v", req.method, req.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s %s during the drain: %d, Retry-After %q", req.method, req.path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if _, err := io.WriteString(slow, strings.Repeat("x", 15)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not finish after the request in flight")
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("the listener is still open after Shutdown")
	}
}
