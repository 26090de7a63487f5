package signal

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// connectingSession is a fake session whose client connects when told.
type connectingSession struct {
	*fakeSession
	connected chan struct{}
}

func (c connectingSession) Connected() <-chan struct{} { return c.connected }

// TestHalfOpenCaps: a client that POSTs offers and never connects gets 429
// once it holds its share of the stream's half-open slots, another client
// still gets its session, the stream's own cap answers 503, and a client
// that connects frees its half-open slot while its session lives on.
func TestHalfOpenCaps(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, "whep", "sessions")
	var mu sync.Mutex
	var sessions []connectingSession
	h := &Handler{
		Name: "whep", Metrics: m, MaxHalfOpenPerIP: 8,
		MaxHalfOpen: func(string) int { return 4 }, // so at most 2 per client
		Open: OpenFunc(func(context.Context, OpenRequest) (Session, string, error) {
			mu.Lock()
			defer mu.Unlock()
			s := connectingSession{newFakeSession(), make(chan struct{})}
			sessions = append(sessions, s)
			return s, testAnswer, nil
		}),
	}
	t.Cleanup(h.Close)
	halfOpen := func() float64 {
		var d dto.Metric
		if err := m.halfOpen.WithLabelValues("cam1").Write(&d); err != nil {
			t.Fatal(err)
		}
		return d.GetGauge().GetValue()
	}

	for i, want := range []int{201, 201, 429, 429} {
		rec := post(h, "127.0.0.1:1000")
		if rec.Code != want {
			t.Fatalf("flooder POST %d: %d, want %d", i, rec.Code, want)
		}
		if want == 429 && rec.Header().Get("Retry-After") == "" {
			t.Fatalf("429 without Retry-After")
		}
	}
	if rec := post(h, "127.0.0.2:1000"); rec.Code != 201 {
		t.Fatalf("second client: %d", rec.Code)
	}
	if got := halfOpen(); got != 3 {
		t.Fatalf("half-open %v, want 3", got)
	}
	if rec := post(h, "127.0.0.3:1000"); rec.Code != 201 {
		t.Fatalf("third client: %d", rec.Code)
	}
	rec := post(h, "127.0.0.4:1000")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("over the stream's cap: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	checkProblem(t, rec)

	// The flooder's first session connects: its slot is free for another
	// half-open one, the session stays registered.
	close(sessions[0].connected)
	waitFor(t, func() bool { return halfOpen() == 3 })
	if h.Sessions() != 4 {
		t.Fatalf("sessions %d, want 4", h.Sessions())
	}
	if rec := post(h, "127.0.0.1:1000"); rec.Code != 201 {
		t.Fatalf("flooder after one connected: %d", rec.Code)
	}
	// A half-open session that ends frees both counts.
	sessions[1].end()
	waitFor(t, func() bool { return halfOpen() == 3 && h.Sessions() == 4 })
	h.Close()
	if got := halfOpen(); got != 0 {
		t.Fatalf("half-open after Close: %v", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
