package turn

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Label values of the TURN metrics.
const (
	dirToPeer   = "to_peer"   // client → relay → peer (the gateway's ICE socket)
	dirToClient = "to_client" // peer → relay → client (the viewer)

	dropPeer      = "peer"      // an address the policy does not admit
	dropPort      = "port"      // an ICE address, but not the ICE port
	dropTruncated = "truncated" // larger than the read buffer
)

// Metrics are the TURN service's counters. A nil *Metrics is valid and
// counts nothing. None has a stream label: a relay does not know which
// stream its packets carry.
type Metrics struct {
	allocations      *prometheus.GaugeVec
	allocationsTotal *prometheus.CounterVec
	refused          *prometheus.CounterVec
	packets          *prometheus.CounterVec
	bytes            *prometheus.CounterVec
	dropped          *prometheus.CounterVec
	permRefused      *prometheus.CounterVec
	authFailures     *prometheus.CounterVec
	rateLimited      *prometheus.CounterVec
	requestErrors    prometheus.Counter

	// Resolved children for the per-packet path.
	toPeerPkts, toPeerBytes, toClientPkts, toClientBytes prometheus.Counter
	dropPeer, dropPort, dropTruncated                    prometheus.Counter
}

// NewMetrics creates the TURN metrics and registers them with reg, which
// may be nil to leave them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "mediagate", Subsystem: "turn", Name: name, Help: help,
		}, labels)
	}
	m := &Metrics{
		allocations: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "mediagate", Subsystem: "turn", Name: "allocations",
			Help: "Current TURN allocations, by the transport the client uses.",
		}, []string{"transport"}),
		allocationsTotal: counter("allocations_total", "TURN allocations created, by client transport.", "transport"),
		refused:          counter("allocations_refused_total", "Allocate requests refused, by reason.", "reason"),
		packets:          counter("relayed_packets_total", "Datagrams relayed, by direction.", "direction"),
		bytes:            counter("relayed_bytes_total", "Payload bytes relayed, by direction.", "direction"),
		dropped: counter("relay_dropped_total",
			"Datagrams a relay dropped: to or from a peer the policy refuses, to a port of the gateway other than its ICE port, or truncated.",
			"reason"),
		permRefused:  counter("permissions_refused_total", "CreatePermission and ChannelBind requests refused by the peer policy, by reason.", "reason"),
		authFailures: counter("auth_failures_total", "Requests whose credentials were refused, by reason.", "reason"),
		rateLimited:  counter("rate_limited_total", "Unauthenticated requests and connections dropped by the per-source rate limit, by transport.", "transport"),
		requestErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "mediagate", Subsystem: "turn", Name: "request_errors_total",
			Help: "Datagrams or frames the TURN server could not handle (no allocation, malformed, refused).",
		}),
	}
	m.toPeerPkts, m.toPeerBytes = m.packets.WithLabelValues(dirToPeer), m.bytes.WithLabelValues(dirToPeer)
	m.toClientPkts, m.toClientBytes = m.packets.WithLabelValues(dirToClient), m.bytes.WithLabelValues(dirToClient)
	m.dropPeer = m.dropped.WithLabelValues(dropPeer)
	m.dropPort = m.dropped.WithLabelValues(dropPort)
	m.dropTruncated = m.dropped.WithLabelValues(dropTruncated)
	if reg != nil {
		reg.MustRegister(m.allocations, m.allocationsTotal, m.refused, m.packets, m.bytes, m.dropped,
			m.permRefused, m.authFailures, m.rateLimited, m.requestErrors)
	}
	return m
}

// discardMetrics backs a nil *Metrics: real but unregistered collectors.
var discardMetrics = sync.OnceValue(func() *Metrics { return NewMetrics(nil) })

// orDiscard returns m, or the unregistered metrics when m is nil.
func (m *Metrics) orDiscard() *Metrics {
	if m == nil {
		return discardMetrics()
	}
	return m
}

// relayed counts datagrams relayed in one direction and their payload
// bytes.
func (m *Metrics) relayed(toPeer bool, packets, bytes int) {
	if packets == 0 {
		return
	}
	pkts, bs := m.toClientPkts, m.toClientBytes
	if toPeer {
		pkts, bs = m.toPeerPkts, m.toPeerBytes
	}
	pkts.Add(float64(packets))
	bs.Add(float64(bytes))
}

// drop counts one datagram a relay dropped.
func (m *Metrics) drop(reason string) {
	switch reason {
	case dropPort:
		m.dropPort.Inc()
	case dropTruncated:
		m.dropTruncated.Inc()
	default:
		m.dropPeer.Inc()
	}
}
