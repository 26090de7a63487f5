package whep

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the handler's Prometheus metrics. A nil *Metrics is valid
// and records nothing.
type Metrics struct {
	requests *prometheus.CounterVec
	sessions *prometheus.GaugeVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered). Metrics already registered by an earlier call are reused,
// so a reloaded handler keeps counting in the same series.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mediagate_whep_requests_total",
			Help: "WHEP HTTP requests by method and status code.",
		}, []string{"method", "code"}),
		sessions: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mediagate_whep_sessions",
			Help: "WHEP viewer sessions currently registered, by stream.",
		}, []string{"stream"}),
	}
	if reg != nil {
		m.requests = register(reg, m.requests)
		m.sessions = register(reg, m.sessions)
	}
	return m
}

// register registers c, returning the collector already registered under
// the same description if there is one.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}

// request counts one answered request. Unknown methods share one label
// value so that a client cannot grow the series without bound.
func (m *Metrics) request(method string, code int) {
	if m == nil {
		return
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
	default:
		method = "OTHER"
	}
	m.requests.WithLabelValues(method, strconv.Itoa(code)).Inc()
}

// sessionAdded counts a registered session of stream.
func (m *Metrics) sessionAdded(stream string) {
	if m != nil {
		m.sessions.WithLabelValues(stream).Inc()
	}
}

// sessionRemoved uncounts a session of stream.
func (m *Metrics) sessionRemoved(stream string) {
	if m != nil {
		m.sessions.WithLabelValues(stream).Dec()
	}
}
