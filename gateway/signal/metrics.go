package signal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the handler's Prometheus metrics. A nil *Metrics is valid
// and records nothing.
type Metrics struct {
	requests *prometheus.CounterVec
	sessions *prometheus.GaugeVec
	halfOpen *prometheus.GaugeVec
}

// NewMetrics creates the metrics of a protocol's handler and registers
// them with reg (nil: not registered): the requests as NewRequestMetrics
// counts them, the registered sessions as
// mediagate_<protocol>_sessions{stream}, described by sessionsHelp, and
// those of them still half-open (POSTed, not yet connected) as
// mediagate_<protocol>_sessions_half_open{stream}.
// Metrics already registered by an earlier call are reused, so a reloaded
// handler keeps counting in the same series.
func NewMetrics(reg prometheus.Registerer, protocol, sessionsHelp string) *Metrics {
	m := NewRequestMetrics(reg, protocol)
	m.sessions = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "mediagate_" + protocol + "_sessions",
		Help: sessionsHelp,
	}, []string{"stream"})
	m.halfOpen = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "mediagate_" + protocol + "_sessions_half_open",
		Help: "Of those sessions, the ones whose client has not connected (ICE) yet, by stream.",
	}, []string{"stream"})
	if reg != nil {
		m.sessions = register(reg, m.sessions)
		m.halfOpen = register(reg, m.halfOpen)
	}
	return m
}

// NewRequestMetrics counts only the requests, as
// mediagate_<protocol>_requests_total{method,code}: for a protocol that
// counts its sessions itself (WHIP counts its publishers).
func NewRequestMetrics(reg prometheus.Registerer, protocol string) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mediagate_" + protocol + "_requests_total",
			Help: strings.ToUpper(protocol) + " HTTP requests by method and status code.",
		}, []string{"method", "code"}),
	}
	if reg != nil {
		m.requests = register(reg, m.requests)
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
	if m != nil && m.sessions != nil {
		m.sessions.WithLabelValues(stream).Inc()
	}
}

// sessionRemoved uncounts a session of stream.
func (m *Metrics) sessionRemoved(stream string) {
	if m != nil && m.sessions != nil {
		m.sessions.WithLabelValues(stream).Dec()
	}
}

// halfOpenAdded counts a half-open session of stream, from the POST that
// asks for it until its client connects.
func (m *Metrics) halfOpenAdded(stream string) {
	if m != nil && m.halfOpen != nil {
		m.halfOpen.WithLabelValues(stream).Inc()
	}
}

// halfOpenRemoved uncounts a half-open session of stream.
func (m *Metrics) halfOpenRemoved(stream string) {
	if m != nil && m.halfOpen != nil {
		m.halfOpen.WithLabelValues(stream).Dec()
	}
}
