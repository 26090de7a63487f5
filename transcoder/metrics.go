package transcoder

import (
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Drop reasons counted in mediagate_transcoder_frames_dropped_total.
const (
	DropDamaged  = "damaged"          // a packet of the access unit was lost or malformed
	DropWaitKey  = "waiting_keyframe" // after damage, until the next keyframe
	DropTooLarge = "too_large"        // over the maximum picture size
	DropDecode   = "decode"           // the decoder rejected it
	DropEncode   = "encode"           // the encoder failed (or could not open)
	DropRate     = "rate_control"     // the encoder's rate control skipped it
)

var dropReasons = []string{DropDamaged, DropWaitKey, DropTooLarge, DropDecode, DropEncode, DropRate}

// Metrics are the transcoder's Prometheus metrics, labelled with the
// stream and the source and output codecs. A nil *Metrics counts nothing.
type Metrics struct {
	running   *prometheus.GaugeVec
	framesIn  *prometheus.CounterVec
	framesOut *prometheus.CounterVec
	dropped   *prometheus.CounterVec
	keyframes *prometheus.CounterVec
	encode    *prometheus.HistogramVec
	bitrate   *prometheus.GaugeVec
}

// NewMetrics creates the metrics and registers them with reg (nil leaves
// them unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	labels := []string{"stream", "from", "to"}
	counter := func(name, help string, extra ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "mediagate", Subsystem: "transcoder", Name: name, Help: help,
		}, append(append([]string(nil), labels...), extra...))
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "mediagate", Subsystem: "transcoder", Name: name, Help: help,
		}, labels)
	}
	m := &Metrics{
		running:   gauge("running", "Transcoding pipelines running."),
		framesIn:  counter("frames_in_total", "Access units reassembled from the source."),
		framesOut: counter("frames_out_total", "Frames encoded and sent."),
		dropped:   counter("frames_dropped_total", "Frames dropped, by reason.", "reason"),
		keyframes: counter("keyframes_forced_total", "Key frames forced for viewers (PLI, FIR, joins)."),
		encode: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "mediagate", Subsystem: "transcoder", Name: "encode_seconds",
			Help:    "Time to encode one frame.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .033, .05, .1, .25},
		}, labels),
		bitrate: gauge("bitrate_bps", "The encoder's current target bitrate, in bits per second."),
	}
	if reg != nil {
		reg.MustRegister(m.running, m.framesIn, m.framesOut, m.dropped, m.keyframes, m.encode, m.bitrate)
	}
	return m
}

var discardMetrics = sync.OnceValue(func() *Metrics { return NewMetrics(nil) })

// pipelineMetrics are one pipeline's resolved collectors.
type pipelineMetrics struct {
	running   prometheus.Gauge
	framesIn  prometheus.Counter
	framesOut prometheus.Counter
	dropped   map[string]prometheus.Counter
	keyframes prometheus.Counter
	encode    prometheus.Observer
	bitrate   prometheus.Gauge
}

// codecLabel is a MIME type's short name: "h264", "vp8", "opus", "aac".
func codecLabel(mime string) string {
	if strings.EqualFold(mime, AAC) {
		return "aac"
	}
	_, sub, _ := strings.Cut(mime, "/")
	return strings.ToLower(sub)
}

func (m *Metrics) forPipeline(stream, from, to string) *pipelineMetrics {
	if m == nil {
		m = discardMetrics()
	}
	l := []string{stream, codecLabel(from), codecLabel(to)}
	pm := &pipelineMetrics{
		running:   m.running.WithLabelValues(l...),
		framesIn:  m.framesIn.WithLabelValues(l...),
		framesOut: m.framesOut.WithLabelValues(l...),
		dropped:   make(map[string]prometheus.Counter, len(dropReasons)),
		keyframes: m.keyframes.WithLabelValues(l...),
		encode:    m.encode.WithLabelValues(l...),
		bitrate:   m.bitrate.WithLabelValues(l...),
	}
	for _, r := range dropReasons {
		pm.dropped[r] = m.dropped.WithLabelValues(append(l, r)...)
	}
	return pm
}
