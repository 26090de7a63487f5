package webhook

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// roundTripFunc is a fake transport: tests answer requests in memory, so
// that synctest's clock drives timeouts and backoff.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// answer returns a response with status and, when set, Retry-After.
func answer(r *http.Request, status int, retryAfter string) *http.Response {
	resp := &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{},
		Body: http.NoBody, Request: r}
	if retryAfter != "" {
		resp.Header.Set("Retry-After", retryAfter)
	}
	return resp
}

// recorder notes when each request arrived (synctest time).
type recorder struct {
	mu    sync.Mutex
	times []time.Duration
	start time.Time
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

func (r *recorder) note() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.times = append(r.times, time.Since(r.start))
	return len(r.times)
}

func (r *recorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.times...)
}

// newDeliverer returns a deliverer over transport with fresh metrics.
func newDeliverer(t *testing.T, transport http.RoundTripper) (*Deliverer, *Metrics) {
	t.Helper()
	m := NewMetrics(prometheus.NewRegistry())
	d := &Deliverer{Client: &http.Client{Transport: transport}, Metrics: m}
	return d, m
}

// count reads one result counter of a receiver.
func count(m *Metrics, receiver, result string) int {
	var out dto.Metric
	if err := m.events.WithLabelValues(receiver, result).Write(&out); err != nil {
		panic(err)
	}
	return int(out.GetCounter().GetValue())
}
