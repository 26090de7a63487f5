package senders

import "github.com/prometheus/client_golang/prometheus"

// metrics counts the streams created through the sender API. A nil
// *metrics counts nothing.
type metrics struct {
	alive   prometheus.Gauge
	made    *prometheus.CounterVec
	dropped *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		alive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mediagate_sender_streams",
			Help: "Streams created through the sender API that exist now.",
		}),
		made: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mediagate_sender_streams_created_total",
			Help: "Streams created through the sender API, by the gateway's role: answer (to a sender's offer) or offer.",
		}, []string{"role"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mediagate_sender_streams_removed_total",
			Help: "Streams created through the sender API and removed, by reason: deleted, idle (sender silent).",
		}, []string{"reason"}),
	}
	reg.MustRegister(m.alive, m.made, m.dropped)
	return m
}

func (m *metrics) created(role string) {
	if m != nil {
		m.made.WithLabelValues(role).Inc()
		m.alive.Inc()
	}
}

func (m *metrics) removed(reason string) {
	if m != nil {
		m.dropped.WithLabelValues(reason).Inc()
		m.alive.Dec()
	}
}
