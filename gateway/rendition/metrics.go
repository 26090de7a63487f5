package rendition

import (
	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/stream"
)

// bridgeMetrics are the instant start's metrics on the bridge side
// (mediagate_start_*); egress counts the joins and first-frame times.
type bridgeMetrics struct {
	running  prometheus.Gauge
	viewers  prometheus.Gauge
	encode   prometheus.Histogram
	refused  *prometheus.CounterVec
	failures *prometheus.CounterVec
}

func newBridgeMetrics(reg prometheus.Registerer, streams func() []*stream.Stream) *bridgeMetrics {
	m := &bridgeMetrics{
		running: prometheus.NewGauge(prometheus.GaugeOpts{Name: "mediagate_start_bridges_running",
			Help: "Bridges running: a decoder of a stream's source, and its encoder while viewers start on it."}),
		viewers: prometheus.NewGauge(prometheus.GaugeOpts{Name: "mediagate_start_bridge_viewers",
			Help: "Viewers on a bridge now, waiting for their source's next keyframe."}),
		encode: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "mediagate_start_bridge_encode_seconds",
			Help:    "Time to encode one picture on a bridge.",
			Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .2}}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_start_bridge_refused_total",
			Help: "Joiners who waited for a keyframe because the bridges were at a bound (max_bridges, max_bridged)."},
			[]string{"reason"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_start_bridge_failures_total",
			Help: "Bridges that gave up on their joiners (no picture decoded from the GOP), who then waited for a keyframe."},
			[]string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.running, m.viewers, m.encode, m.refused, m.failures)
		if streams != nil {
			reg.MustRegister(gopCollector{streams})
		}
	}
	return m
}

// gopCollector reports what each stream's GOP memory holds, read when
// scraped.
type gopCollector struct{ streams func() []*stream.Stream }

var (
	gopBytesDesc = prometheus.NewDesc("mediagate_start_gop_memory_bytes",
		"Payload bytes of the stream's current GOP that the gateway remembers for bridged starts.", []string{"stream"}, nil)
	gopPacketsDesc = prometheus.NewDesc("mediagate_start_gop_memory_packets",
		"Packets of the stream's current GOP that the gateway remembers for bridged starts.", []string{"stream"}, nil)
)

// Describe implements prometheus.Collector.
func (gopCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- gopBytesDesc
	ch <- gopPacketsDesc
}

// Collect implements prometheus.Collector.
func (c gopCollector) Collect(ch chan<- prometheus.Metric) {
	for _, st := range c.streams() {
		if st.Video == nil {
			continue
		}
		n, b := st.Video.GOPUsage()
		ch <- prometheus.MustNewConstMetric(gopBytesDesc, prometheus.GaugeValue, float64(b), st.Name)
		ch <- prometheus.MustNewConstMetric(gopPacketsDesc, prometheus.GaugeValue, float64(n), st.Name)
	}
}
