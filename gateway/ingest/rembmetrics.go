package ingest

import "github.com/prometheus/client_golang/prometheus"

// rembMetrics are the gauges of the REMB loop, labelled by stream.
type rembMetrics struct {
	remb, estimate, incoming, followRatio, follows *prometheus.GaugeVec
}

func newREMBMetrics() rembMetrics {
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"stream"})
	}
	return rembMetrics{
		remb: gauge("mediagate_ingest_remb_bitrate",
			"Bitrate of the last REMB sent to the sender, bit/s."),
		estimate: gauge("mediagate_ingest_estimate_bitrate",
			"Bandwidth estimate of the ingest link (draft-ietf-rmcat-gcc), bit/s."),
		incoming: gauge("mediagate_ingest_incoming_bitrate",
			"Bitrate received from the sender over the last 500 ms, bit/s."),
		followRatio: gauge("mediagate_ingest_remb_follow_ratio",
			"Incoming bitrate divided by the REMB sent, averaged over 5 s; at most about 1 when the sender follows."),
		follows: gauge("mediagate_ingest_sender_follows_remb",
			"1 while the sender stays within 1.15 times the REMB it gets (averaged over 5 s), 0 when it sends more."),
	}
}

func (m rembMetrics) vecs() []*prometheus.MetricVec {
	return []*prometheus.MetricVec{m.remb.MetricVec, m.estimate.MetricVec, m.incoming.MetricVec,
		m.followRatio.MetricVec, m.follows.MetricVec}
}

func (m rembMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(m.remb, m.estimate, m.incoming, m.followRatio, m.follows)
}

// rembSeries are one stream's REMB gauges.
type rembSeries struct {
	remb, estimate, incoming, followRatio, follows prometheus.Gauge
}

func (m rembMetrics) forStream(name string) rembSeries {
	return rembSeries{
		remb:        m.remb.WithLabelValues(name),
		estimate:    m.estimate.WithLabelValues(name),
		incoming:    m.incoming.WithLabelValues(name),
		followRatio: m.followRatio.WithLabelValues(name),
		follows:     m.follows.WithLabelValues(name),
	}
}
