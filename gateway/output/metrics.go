package output

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// RTCP packet types counted in mediagate_output_rtcp_total.
var rtcpTypes = []string{"sr", "rr", "sdes", "bye", "pli", "fir", "nack", "remb", "other", "malformed"}

// Reasons counted in mediagate_output_dropped_total.
const (
	dropStranger    = "stranger"         // RTCP from an address other than the receiver's
	dropOversize    = "oversize"         // a datagram larger than the read buffer
	dropNotRTCP     = "not_rtcp"         // a datagram that is not RTCP (RFC 5761, RFC 7983)
	dropAuth        = "unauthenticated"  // SRTCP that fails authentication or replays
	dropQueue       = "queue_full"       // a media packet lost to a full subscription queue
	dropNACKBudget  = "nack_budget"      // a NACKed packet beyond the retransmission budget
	dropNACKBacklog = "nack_backlog"     // a NACK the send loop had no room for
	dropNACKMissing = "nack_unavailable" // a NACKed packet no longer in the history
	dropWrite       = "write_error"      // a datagram the socket refused
	dropSRTP        = "srtp_error"       // a packet SRTP could not protect
)

var dropReasons = []string{dropStranger, dropOversize, dropNotRTCP, dropAuth, dropQueue,
	dropNACKBudget, dropNACKBacklog, dropNACKMissing, dropWrite, dropSRTP}

// Metrics are the output counters, each labelled with the stream. A nil
// *Metrics is valid and counts nothing.
type Metrics struct {
	packets     *prometheus.CounterVec
	bytes       *prometheus.CounterVec
	rtcp        *prometheus.CounterVec
	retransmits *prometheus.CounterVec
	dropped     *prometheus.CounterVec
	remb        *prometheus.GaugeVec
}

// NewMetrics creates the output metrics and registers them with reg, which
// may be nil to leave them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "mediagate", Subsystem: "output", Name: name, Help: help,
		}, append([]string{"stream"}, labels...))
	}
	m := &Metrics{
		packets:     counter("packets_total", "RTP packets sent to output receivers, retransmissions excluded."),
		bytes:       counter("bytes_total", "RTP bytes (header, payload and SRTP tag) sent to output receivers."),
		rtcp:        counter("rtcp_total", "RTCP packets received from output receivers, by type.", "type"),
		retransmits: counter("retransmits_total", "Packets sent again in answer to a receiver's NACK."),
		dropped:     counter("dropped_total", "Datagrams and packets an output dropped, by reason.", "reason"),
		remb: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "mediagate", Subsystem: "output", Name: "receiver_remb_bitrate",
			Help: "The receiver's last REMB in bits per second; 0 when none arrived in the last 3 s.",
		}, []string{"stream"}),
	}
	if reg != nil {
		reg.MustRegister(m.packets, m.bytes, m.rtcp, m.retransmits, m.dropped, m.remb)
	}
	return m
}

// discardMetrics backs a nil *Metrics: real but unregistered collectors.
var discardMetrics = sync.OnceValue(func() *Metrics { return NewMetrics(nil) })

// outputMetrics are one Output's resolved metrics, so the per-packet path
// does no label lookup.
type outputMetrics struct {
	m           *Metrics
	name        string
	packets     prometheus.Counter
	bytes       prometheus.Counter
	retransmits prometheus.Counter
	remb        prometheus.Gauge
	rtcp        map[string]prometheus.Counter
	dropped     map[string]prometheus.Counter
}

// forOutput resolves the metrics of the output of stream name.
func (m *Metrics) forOutput(name string) *outputMetrics {
	if m == nil {
		m = discardMetrics()
	}
	om := &outputMetrics{
		m: m, name: name,
		packets:     m.packets.WithLabelValues(name),
		bytes:       m.bytes.WithLabelValues(name),
		retransmits: m.retransmits.WithLabelValues(name),
		remb:        m.remb.WithLabelValues(name),
		rtcp:        make(map[string]prometheus.Counter, len(rtcpTypes)),
		dropped:     make(map[string]prometheus.Counter, len(dropReasons)),
	}
	for _, t := range rtcpTypes {
		om.rtcp[t] = m.rtcp.WithLabelValues(name, t)
	}
	for _, r := range dropReasons {
		om.dropped[r] = m.dropped.WithLabelValues(name, r)
	}
	return om
}

// drop counts n packets dropped for reason.
func (om *outputMetrics) drop(reason string, n int) { om.dropped[reason].Add(float64(n)) }

// release removes the REMB gauge of a closed output: a stale bitrate must
// not linger. The counters stay, so a restarted output continues them.
func (om *outputMetrics) release() { om.m.remb.DeleteLabelValues(om.name) }
