package forward

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// States of a forward or a pull, as the state gauge and the API name them.
const (
	// StateIdle: nothing to do (a forward's stream has no source; a
	// pull's stream has no consumer).
	StateIdle = "idle"
	// StateConnecting: an attempt is under way (POST, ICE, DTLS).
	StateConnecting = "connecting"
	// StateUp: media flows.
	StateUp = "up"
	// StateRetrying: the last attempt failed; the next one waits for the
	// backoff.
	StateRetrying = "retrying"
	// StateFailed: the server refused in a way that retrying cannot mend
	// (401, 403, 404, 422, a redirect loop...); nothing is tried until
	// the source comes back, the stream's consumers return (a pull), or a
	// reload changes the table.
	StateFailed = "failed"
)

var states = []string{StateIdle, StateConnecting, StateUp, StateRetrying, StateFailed}

// Metrics are the forward and pull metrics. A nil *Metrics counts
// nothing.
type Metrics struct {
	state      *prometheus.GaugeVec
	reconnects *prometheus.CounterVec
	failures   *prometheus.CounterVec
	packets    *prometheus.CounterVec
	bytes      *prometheus.CounterVec
	bitrate    *prometheus.GaugeVec
	rtt        *prometheus.GaugeVec
	remb       *prometheus.GaugeVec
	transcoded *prometheus.GaugeVec
}

// NewMetrics creates the metrics and registers them with reg, which may be
// nil to leave them unregistered. Every series is labelled with the
// stream, the role ("forward" or "pull") and the URL (without query or
// user info).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	labels := []string{"stream", "role", "url"}
	gauge := func(name, help string, extra ...string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "mediagate", Subsystem: "forward",
			Name: name, Help: help}, append(labels[:3:3], extra...))
	}
	counter := func(name, help string, extra ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mediagate", Subsystem: "forward",
			Name: name, Help: help}, append(labels[:3:3], extra...))
	}
	m := &Metrics{
		state:      gauge("state", "1 for the state a forward or pull is in (idle, connecting, up, retrying, failed), 0 for the others.", "state"),
		reconnects: counter("reconnects_total", "Connection attempts after the first one."),
		failures:   counter("failures_total", "Attempts and sessions that failed, by reason (http_401, timeout, redirect_loop, ice_failed...).", "reason"),
		packets:    counter("packets_total", "RTP packets a forward sent, retransmissions excluded."),
		bytes:      counter("bytes_total", "RTP payload bytes a forward sent."),
		bitrate:    gauge("bitrate_bps", "Media bitrate a forward sent over the last second."),
		rtt:        gauge("rtt_seconds", "Round-trip time to the remote, from its receiver reports (forward) or 0 when unknown."),
		remb:       gauge("remote_remb_bps", "The remote's last REMB to a forward."),
		transcoded: gauge("transcoded_tracks", "Tracks a forward sends as transcoded renditions because its endpoint refused the source codec (0: the source's own)."),
	}
	if reg != nil {
		reg.MustRegister(m.state, m.reconnects, m.failures, m.packets, m.bytes, m.bitrate, m.rtt, m.remb, m.transcoded)
	}
	return m
}

var discardMetrics = sync.OnceValue(func() *Metrics { return NewMetrics(nil) })

// series are one forward's or pull's resolved metrics.
type series struct {
	m       *Metrics
	labels  []string
	packets prometheus.Counter
	bytes   prometheus.Counter
	bitrate prometheus.Gauge
	rtt     prometheus.Gauge
	remb    prometheus.Gauge
	// transcoded counts the tracks sent as renditions.
	transcoded prometheus.Gauge
}

func (m *Metrics) series(stream, role, url string) *series {
	if m == nil {
		m = discardMetrics()
	}
	l := []string{stream, role, url}
	return &series{m: m, labels: l,
		packets: m.packets.WithLabelValues(l...), bytes: m.bytes.WithLabelValues(l...),
		bitrate: m.bitrate.WithLabelValues(l...), rtt: m.rtt.WithLabelValues(l...),
		remb: m.remb.WithLabelValues(l...), transcoded: m.transcoded.WithLabelValues(l...)}
}

// setState sets the state gauges: 1 for s, 0 for the others.
func (s *series) setState(state string) {
	for _, x := range states {
		v := 0.0
		if x == state {
			v = 1
		}
		s.m.state.WithLabelValues(append(s.labels[:3:3], x)...).Set(v)
	}
}

func (s *series) reconnect() { s.m.reconnects.WithLabelValues(s.labels...).Inc() }

func (s *series) failure(reason string) {
	s.m.failures.WithLabelValues(append(s.labels[:3:3], reason)...).Inc()
}

// release removes the gauges of a forward or pull that was removed; the
// counters stay, so a restarted one continues them.
func (s *series) release() {
	for _, x := range states {
		s.m.state.DeleteLabelValues(append(s.labels[:3:3], x)...)
	}
	s.m.bitrate.DeleteLabelValues(s.labels...)
	s.m.rtt.DeleteLabelValues(s.labels...)
	s.m.remb.DeleteLabelValues(s.labels...)
	s.m.transcoded.DeleteLabelValues(s.labels...)
}
