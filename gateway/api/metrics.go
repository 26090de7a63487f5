package api

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what the API serves. A nil *Metrics is valid and records
// nothing.
type Metrics struct {
	sseClients   prometheus.Gauge
	authFailures *prometheus.CounterVec
}

// NewMetrics registers the API's metrics with reg and returns them.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		sseClients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mediagate_api_sse_clients",
			Help: "Clients connected to the Server-Sent Events endpoint.",
		}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mediagate_api_auth_failures_total",
			Help: "Control API requests refused, by reason (missing, invalid, disabled, throttled).",
		}, []string{"reason"}),
	}
	reg.MustRegister(m.sseClients, m.authFailures)
	return m
}

func (m *Metrics) sseConnected(delta float64) {
	if m != nil {
		m.sseClients.Add(delta)
	}
}

func (m *Metrics) authFailed(reason string) {
	if m != nil {
		m.authFailures.WithLabelValues(reason).Inc()
	}
}
