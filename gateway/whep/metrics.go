package whep

import (
	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/signal"
)

// NewMetrics creates the WHEP metrics, mediagate_whep_requests_total{method,
// code} and mediagate_whep_sessions{stream}, and registers them with reg
// (nil: not registered). Metrics already registered by an earlier call are
// reused, so a reloaded handler keeps counting in the same series.
func NewMetrics(reg prometheus.Registerer) *signal.Metrics {
	return signal.NewMetrics(reg, "whep", "WHEP viewer sessions currently registered, by stream.")
}
