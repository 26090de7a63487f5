package webhook

import "github.com/prometheus/client_golang/prometheus"

// Results of an event, the values of the result label.
const (
	resultDelivered = "delivered" // a 2xx answer
	resultFailed    = "failed"    // a final error, or out of attempts
	resultDropped   = "dropped"   // the receiver's queue was full
	resultDiscarded = "discarded" // still queued when the receiver was removed or the gateway stopped
)

// Metrics counts what the deliverer does, per receiver (its URL without
// query). A nil *Metrics counts nothing.
type Metrics struct {
	events   *prometheus.CounterVec
	requests *prometheus.CounterVec
	queued   *prometheus.GaugeVec
}

// NewMetrics registers the webhook metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mediagate_webhook_events_total",
			Help: "Events handed to a webhook receiver, by result: delivered, failed (final error or out of attempts), dropped (queue full), discarded (queued at removal or shutdown).",
		}, []string{"receiver", "result"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mediagate_webhook_requests_total",
			Help: "Webhook requests sent, retries included, by status class (2xx, 3xx, 4xx, 5xx) or error.",
		}, []string{"receiver", "status"}),
		queued: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mediagate_webhook_queue_length",
			Help: "Events waiting for a webhook receiver.",
		}, []string{"receiver"}),
	}
	reg.MustRegister(m.events, m.requests, m.queued)
	return m
}

func (m *Metrics) event(receiver, result string) {
	if m != nil {
		m.events.WithLabelValues(receiver, result).Inc()
	}
}

func (m *Metrics) request(receiver, status string) {
	if m != nil {
		m.requests.WithLabelValues(receiver, status).Inc()
	}
}

func (m *Metrics) queueLength(receiver string, n int) {
	if m != nil {
		m.queued.WithLabelValues(receiver).Set(float64(n))
	}
}
