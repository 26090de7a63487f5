package gateway

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// reapPeriod is how often the silence of API-created streams is checked;
// senders.idle_timeout is at least a second.
const reapPeriod = 250 * time.Millisecond

// reapSilent removes, until stopSenders, every API-created stream whose
// sender has been silent for senders.idle_timeout.
func (g *Gateway) reapSilent() {
	defer close(g.senders.done)
	t := time.NewTicker(reapPeriod)
	defer t.Stop()
	for {
		select {
		case <-g.senders.stop:
			return
		case now := <-t.C:
			for _, name := range g.silentSenders(now) {
				g.dropSender(name, "idle")
			}
		}
	}
}

// silentSenders returns the API-created streams silent for longer than
// senders.idle_timeout at now, and forgets those that are gone.
func (g *Gateway) silentSenders(now time.Time) []string {
	idle := g.config().Senders.IdleTimeout.D()
	sourceTimeout := g.reload.boot.Ingest.SourceTimeout.D()
	s := g.senders
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for name, as := range s.streams {
		st := g.hub.Get(name)
		if st == nil {
			delete(s.streams, name)
			continue
		}
		if as.silence(st.Up(), now, sourceTimeout) >= idle {
			out = append(out, name)
		}
	}
	return out
}

// silence updates the stream's silence clock with its state at now and
// returns how long its sender has been silent. A stream goes down after
// ingest.source_timeout of silence, so the silence began that long before
// it is first seen down.
func (a *apiStream) silence(up bool, now time.Time, sourceTimeout time.Duration) time.Duration {
	switch {
	case up:
		a.silentSince = time.Time{}
		return 0
	case a.silentSince.IsZero():
		a.silentSince = now.Add(-sourceTimeout)
	}
	return now.Sub(a.silentSince)
}

// senderMetrics counts the streams created through the sender API. A nil
// *senderMetrics counts nothing.
type senderMetrics struct {
	alive   prometheus.Gauge
	made    *prometheus.CounterVec
	dropped *prometheus.CounterVec
}

func newSenderMetrics(reg prometheus.Registerer) *senderMetrics {
	m := &senderMetrics{
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

func (m *senderMetrics) created(role string) {
	if m != nil {
		m.made.WithLabelValues(role).Inc()
		m.alive.Inc()
	}
}

func (m *senderMetrics) removed(reason string) {
	if m != nil {
		m.dropped.WithLabelValues(reason).Inc()
		m.alive.Dec()
	}
}
