package egress

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// RTCP packet types counted in mediagate_egress_rtcp_received_total.
var rtcpTypes = []string{"pli", "fir", "remb", "nack", "rr", "sr", "sdes", "bye", "other", "malformed"}

// Metrics are the egress counters, each labelled with the stream. A nil
// *Metrics is valid and counts nothing.
type Metrics struct {
	viewers         *prometheus.GaugeVec
	packets         *prometheus.CounterVec
	bytes           *prometheus.CounterVec
	queueDropped    *prometheus.CounterVec
	rtcp            *prometheus.CounterVec
	nackRetransmits *prometheus.CounterVec
	nackLimited     *prometheus.CounterVec
	profileMismatch *prometheus.CounterVec
	setupTimeouts   *prometheus.CounterVec
	writeErrors     *prometheus.CounterVec
	thinned         *prometheus.CounterVec
	starts          *prometheus.CounterVec
	firstFrame      *prometheus.HistogramVec
	fanGauge        prometheus.Gauge
	paths           *prometheus.CounterVec
}

// NewMetrics creates the egress metrics and registers them with reg, which
// may be nil to leave them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "mediagate", Subsystem: "egress", Name: name, Help: help,
		}, append([]string{"stream"}, labels...))
	}
	m := &Metrics{
		viewers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "mediagate", Subsystem: "egress", Name: "viewers",
			Help: "Viewer sessions, including those still being set up.",
		}, []string{"stream"}),
		packets:         counter("packets_sent_total", "RTP packets sent to viewers."),
		bytes:           counter("bytes_sent_total", "RTP bytes (header and payload) sent to viewers."),
		queueDropped:    counter("queue_dropped_total", "Packets lost to a full viewer queue."),
		rtcp:            counter("rtcp_received_total", "RTCP packets received from viewers, by type.", "type"),
		nackRetransmits: counter("nack_retransmits_total", "Packets retransmitted in answer to a NACK."),
		nackLimited: counter("nack_limited_total",
			"NACK packets ignored, whole or in part, because a viewer exceeded its retransmission budget or its track's NACK backlog."),
		profileMismatch: counter("profile_mismatch_total", "Viewers sent an H.264 profile they did not offer."),
		setupTimeouts:   counter("sessions_setup_timeout_total", "Sessions closed because ICE never connected."),
		writeErrors:     counter("write_errors_total", "RTP or RTCP writes to a viewer that failed."),
		thinned: counter("thinned_packets_total",
			"Video packets not sent to viewers thinned to key frames (their REMB is below the stream's floor)."),
		starts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_start_joins_total",
			Help: "Video tracks of viewers started, by how: bridge (a key frame of the current picture), " +
				"keyframe (the source's keyframe was a few frames old: replayed), wait (for the next keyframe), " +
				"rendition (a transcoded rendition's own key frame)."}, []string{"stream", "mode"}),
		firstFrame: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mediagate_start_first_frame_seconds",
			Help:    "Time from a viewer's connection to its first decodable video frame sent, by start mode.",
			Buckets: []float64{.01, .025, .05, .1, .2, .3, .5, 1, 2, 5, 10}}, []string{"mode"}),
		fanGauge: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "mediagate", Subsystem: "egress", Name: "fans",
			Help: "Source tracks sent to their fast-path viewers by one fan-out goroutine each."}),
		paths: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mediagate", Subsystem: "egress",
			Name: "fast_path_total",
			Help: "Viewers by the path their RTP took: fast (egress protects and sends it, one pass per packet), " +
				"or why not: disabled, tcp (ICE-TCP), no_pair, no_handshake, no_keys."}, []string{"stream", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.viewers, m.packets, m.bytes, m.queueDropped, m.rtcp, m.nackRetransmits,
			m.nackLimited, m.profileMismatch, m.setupTimeouts, m.writeErrors, m.thinned, m.starts, m.firstFrame,
			m.fanGauge, m.paths)
	}
	return m
}

// fans is the gauge of running fans.
func (m *Metrics) fans() prometheus.Gauge {
	if m == nil {
		m = discardMetrics()
	}
	return m.fanGauge
}

// discardMetrics backs a nil *Metrics: real but unregistered collectors.
var discardMetrics = sync.OnceValue(func() *Metrics { return NewMetrics(nil) })

// streamMetrics holds one stream's resolved metrics so the per-packet path
// does no label lookup.
type streamMetrics struct {
	viewers         prometheus.Gauge
	packets         prometheus.Counter
	bytes           prometheus.Counter
	queueDropped    prometheus.Counter
	nackRetransmits prometheus.Counter
	nackLimited     prometheus.Counter
	profileMismatch prometheus.Counter
	setupTimeouts   prometheus.Counter
	writeErrors     prometheus.Counter
	thinned         prometheus.Counter
	rtcp            map[string]prometheus.Counter
	starts          map[string]prometheus.Counter  // by start mode
	firstFrame      map[string]prometheus.Observer // by start mode
	paths           map[string]prometheus.Counter  // by fast path result
}

// forStream resolves the metrics of one stream. With a nil receiver the
// result counts into unregistered sinks.
func (m *Metrics) forStream(name string) *streamMetrics {
	if m == nil {
		m = discardMetrics()
	}
	s := &streamMetrics{
		viewers:         m.viewers.WithLabelValues(name),
		packets:         m.packets.WithLabelValues(name),
		bytes:           m.bytes.WithLabelValues(name),
		queueDropped:    m.queueDropped.WithLabelValues(name),
		nackRetransmits: m.nackRetransmits.WithLabelValues(name),
		nackLimited:     m.nackLimited.WithLabelValues(name),
		profileMismatch: m.profileMismatch.WithLabelValues(name),
		setupTimeouts:   m.setupTimeouts.WithLabelValues(name),
		writeErrors:     m.writeErrors.WithLabelValues(name),
		thinned:         m.thinned.WithLabelValues(name),
		rtcp:            make(map[string]prometheus.Counter, len(rtcpTypes)),
		starts:          make(map[string]prometheus.Counter, len(startModes)),
		firstFrame:      make(map[string]prometheus.Observer, len(startModes)),
		paths:           make(map[string]prometheus.Counter, len(fastPathResults)),
	}
	for _, r := range fastPathResults {
		s.paths[r] = m.paths.WithLabelValues(name, r)
	}
	for _, mode := range startModes {
		s.starts[mode] = m.starts.WithLabelValues(name, mode)
		s.firstFrame[mode] = m.firstFrame.WithLabelValues(mode)
	}
	for _, t := range rtcpTypes {
		s.rtcp[t] = m.rtcp.WithLabelValues(name, t)
	}
	return s
}
