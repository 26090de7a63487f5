package whip

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/signal"
)

// Metrics are the WHIP handler's and publishers' Prometheus metrics. A nil
// *Metrics is valid and records nothing.
type Metrics struct {
	reqs       *signal.Metrics // the requests, counted by the signalling engine
	publishers *prometheus.GaugeVec
	started    *prometheus.CounterVec
	ended      *prometheus.CounterVec
	packets    *prometheus.CounterVec
	bytes      *prometheus.CounterVec
	discarded  *prometheus.CounterVec
	remb       *prometheus.GaugeVec
	rembSent   *prometheus.CounterVec
	estimate   *prometheus.GaugeVec
	keyframes  *prometheus.CounterVec
	joinKeys   *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered). Metrics already registered by an earlier call are reused.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels))
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		return register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels))
	}
	return &Metrics{
		reqs:       signal.NewRequestMetrics(reg, "whip"),
		publishers: gauge("mediagate_whip_publishers", "WHIP publishers connected or setting up, by stream.", "stream"),
		started:    counter("mediagate_whip_sessions_started_total", "WHIP publishing sessions created, by stream.", "stream"),
		ended: counter("mediagate_whip_sessions_ended_total",
			"WHIP publishing sessions ended, by stream and reason.", "stream", "reason"),
		packets: counter("mediagate_whip_received_packets_total",
			"RTP packets received from WHIP publishers, by stream and kind.", "stream", "kind"),
		bytes: counter("mediagate_whip_received_bytes_total",
			"RTP payload bytes received from WHIP publishers, by stream and kind.", "stream", "kind"),
		discarded: counter("mediagate_whip_discarded_packets_total",
			"RTP packets from WHIP publishers not written to the stream, by stream and reason.", "stream", "reason"),
		remb: gauge("mediagate_whip_remb_bitrate_bps",
			"Last REMB bitrate sent to the WHIP publisher, in bit/s, by stream.", "stream"),
		rembSent: counter("mediagate_whip_remb_sent_total", "REMB packets sent to WHIP publishers, by stream.", "stream"),
		estimate: gauge("mediagate_whip_estimate_bps",
			"Receive-side bandwidth estimate of the WHIP publisher's link, in bit/s, by stream.", "stream"),
		keyframes: counter("mediagate_whip_keyframe_requests_total",
			"PLIs sent to WHIP publishers for the stream's keyframe requests, by stream.", "stream"),
		joinKeys: counter("mediagate_whip_join_keyframe_requests_total",
			"PLIs sent at once for a joining viewer, outside keyframe_interval (also in mediagate_whip_keyframe_requests_total), by stream.", "stream"),
	}
}

// register registers c with reg, returning the collector already
// registered under the same description if there is one.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}

// requests returns what the signalling engine counts WHIP's requests in.
func (m *Metrics) requests() *signal.Metrics {
	if m == nil {
		return nil
	}
	return m.reqs
}

// streamMetrics are one stream's series, bound once per session so that
// the packet path does no label lookups. The zero value records nothing.
type streamMetrics struct {
	packets, bytes      [2]prometheus.Counter // by stream.Kind
	discarded           map[string]prometheus.Counter
	remb, estimate      prometheus.Gauge
	rembSent, keyframes prometheus.Counter
	joinKeys            prometheus.Counter
	publishers          prometheus.Gauge
	started             prometheus.Counter
	ended               *prometheus.CounterVec
	stream              string
}

// Reasons a received packet is not written to the stream.
const (
	discardNoTrack   = "no_track"  // the stream has no track of that kind
	discardPadding   = "padding"   // no payload (padding only)
	discardDuplicate = "duplicate" // a sequence number that already arrived
)

// forStream binds the series of stream; nil Metrics give the zero value.
func (m *Metrics) forStream(stream string) *streamMetrics {
	sm := &streamMetrics{stream: stream}
	if m == nil {
		return sm
	}
	for i, kind := range []string{"video", "audio"} {
		sm.packets[i] = m.packets.WithLabelValues(stream, kind)
		sm.bytes[i] = m.bytes.WithLabelValues(stream, kind)
	}
	sm.discarded = map[string]prometheus.Counter{
		discardNoTrack:   m.discarded.WithLabelValues(stream, discardNoTrack),
		discardPadding:   m.discarded.WithLabelValues(stream, discardPadding),
		discardDuplicate: m.discarded.WithLabelValues(stream, discardDuplicate),
	}
	sm.remb, sm.estimate = m.remb.WithLabelValues(stream), m.estimate.WithLabelValues(stream)
	sm.rembSent, sm.keyframes = m.rembSent.WithLabelValues(stream), m.keyframes.WithLabelValues(stream)
	sm.joinKeys = m.joinKeys.WithLabelValues(stream)
	sm.publishers, sm.started, sm.ended = m.publishers.WithLabelValues(stream), m.started.WithLabelValues(stream), m.ended
	return sm
}

func inc(c prometheus.Counter) {
	if c != nil {
		c.Inc()
	}
}

func add(c prometheus.Counter, v float64) {
	if c != nil {
		c.Add(v)
	}
}

func set(g prometheus.Gauge, v float64) {
	if g != nil {
		g.Set(v)
	}
}

// received counts one packet of kind written to the stream.
func (sm *streamMetrics) received(kind int, size int) {
	inc(sm.packets[kind])
	add(sm.bytes[kind], float64(size))
}

// discard counts one packet not written for reason.
func (sm *streamMetrics) discard(reason string) { inc(sm.discarded[reason]) }

// sessionStarted counts a publisher in.
func (sm *streamMetrics) sessionStarted() {
	inc(sm.started)
	if sm.publishers != nil {
		sm.publishers.Inc()
	}
}

// sessionEnded counts a publisher out, with the reason it left.
func (sm *streamMetrics) sessionEnded(reason string) {
	if sm.publishers != nil {
		sm.publishers.Dec()
	}
	if sm.ended != nil {
		sm.ended.WithLabelValues(sm.stream, reason).Inc()
	}
}
