package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
)

const (
	testAdminToken  = "admin-7f3c9e1d"
	testViewerToken = "viewer-b51a0c22"
	testListen      = "127.0.0.1:5004"
)

// fixture is a Handler over a hub holding two streams, served on loopback.
type fixture struct {
	h    *Handler
	hub  *stream.Hub
	bus  *event.Bus
	reg  *prometheus.Registry
	logs *syncBuffer
	srv  *httptest.Server
	sub  *stream.Subscription
}

// newFixture builds the fixture; configure adjusts the handler before the
// server starts.
func newFixture(t *testing.T, configure func(*Handler)) *fixture {
	t.Helper()
	f := &fixture{hub: stream.NewHub(), bus: event.New(nil), reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	cam1 := stream.New("cam1",
		stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/H264", ClockRate: 90000, PayloadType: 96}),
		stream.NewTrack(stream.Audio, stream.Codec{MimeType: "audio/opus", ClockRate: 48000, Channels: 2, PayloadType: 111}),
		f.bus)
	cam1.SetUp(true, nil)
	cam1.AddViewer(2)
	f.sub = cam1.Video.Subscribe(4)
	t.Cleanup(f.sub.Close)
	cam2 := stream.New("cam2",
		stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/VP8", ClockRate: 90000, PayloadType: 97}),
		nil, f.bus)
	for _, s := range []*stream.Stream{cam1, cam2} {
		if err := f.hub.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	f.h = &Handler{
		Hub:        f.hub,
		Bus:        f.bus,
		AdminToken: testAdminToken,
		Gatherer:   f.reg,
		Metrics:    NewMetrics(f.reg),
		Log:        slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Version:    "1.2.3-test",
		Describe: func(s *stream.Stream) map[string]any {
			if s.Name != "cam1" {
				return nil
			}
			return map[string]any{"listen": testListen, "viewer_token_set": true, "name": "overridden"}
		},
	}
	if configure != nil {
		configure(f.h)
	}
	mux := http.NewServeMux()
	f.h.Routes(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// get performs a GET with an optional bearer token and returns the response
// and its whole body.
func (f *fixture) get(t *testing.T, path, token string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitNoGoroutine fails the test if a goroutine whose stack contains frame
// is still running after a bounded wait.
func waitNoGoroutine(t *testing.T, frame string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if !strings.Contains(string(buf[:n]), frame) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutine leak: %s still running:\n%s", frame, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// metricValue reads a gauge or counter from reg; 0 when absent.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue metrics
				}
			}
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
