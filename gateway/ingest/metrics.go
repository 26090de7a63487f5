package ingest

import (
	"log/slog"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// dropReason says why a datagram was not delivered. Its name is the
// "reason" label of mediagate_ingest_dropped_total.
type dropReason int

const (
	dropOversize         dropReason = iota // larger than ReadBuffer (MSG_TRUNC)
	dropMalformed                          // not RTP/RTCP (RFC 7983), or an RTP packet that fails parsing
	dropNotAllowed                         // source address outside AllowFrom
	dropNotLatched                         // another sender than the latched one (RTP bleed)
	dropSRTPAuth                           // SRTP/SRTCP authentication tag did not verify
	dropSRTPReplay                         // SRTP/SRTCP index already seen (RFC 3711 §3.3.2)
	dropSRTCPUnencrypted                   // SRTCP with the E flag clear
	dropPayloadType                        // payload type of neither track
	dropDuplicate                          // RTP sequence number already delivered
	dropSequence                           // held packet never confirmed (probation, jump)
	dropSSRC                               // new SSRC while the track's SSRC is still active
	dropRTCPMalformed                      // RTCP compound that fails parsing
	dropPadding                            // padding-only RTP: counted, never forwarded, never logged
	dropRTCPUnlatched                      // RTCP while no sender is latched (a sender's first SR goes before its RTP): counted, not logged
	dropH264PacketType                     // H.264 packet type outside packetization mode 1 (0, 25-27, 29-31)
	dropH264STAPA                          // H.264 STAP-A that overruns or aggregates no NAL unit
	dropH264FUA                            // H.264 FU-A malformed, or continuing a unit whose start is missing
	dropH264SPS                            // H.264 SPS that does not parse or exceeds the caps
	dropVP8Descriptor                      // VP8 payload descriptor truncated or without data
	numDropReasons
)

var dropReasonNames = [numDropReasons]string{
	dropOversize:         "oversize",
	dropMalformed:        "malformed",
	dropNotAllowed:       "not_allowed",
	dropNotLatched:       "not_latched",
	dropSRTPAuth:         "srtp_auth",
	dropSRTPReplay:       "srtp_replay",
	dropSRTCPUnencrypted: "srtcp_unencrypted",
	dropPayloadType:      "payload_type",
	dropDuplicate:        "duplicate",
	dropSequence:         "sequence",
	dropSSRC:             "ssrc",
	dropRTCPMalformed:    "rtcp_malformed",
	dropPadding:          "padding",
	dropRTCPUnlatched:    "rtcp_unlatched",
	dropH264PacketType:   "h264_packet_type",
	dropH264STAPA:        "h264_stap_a",
	dropH264FUA:          "h264_fu_a",
	dropH264SPS:          "h264_sps",
	dropVP8Descriptor:    "vp8_descriptor",
}

func (r dropReason) String() string { return dropReasonNames[r] }

// RTCP packet kinds counted by mediagate_ingest_rtcp_sent_total.
const (
	rtcpRR   = "rr"
	rtcpPLI  = "pli"
	rtcpFIR  = "fir"
	rtcpREMB = "remb"
)

// Metrics holds the ingest metrics of every source, labelled by stream. A
// nil *Metrics is valid: each source then counts into unregistered metrics.
type Metrics struct {
	packets   *prometheus.CounterVec
	bytes     *prometheus.CounterVec
	dropped   *prometheus.CounterVec
	lost      *prometheus.CounterVec
	jitter    *prometheus.GaugeVec
	latched   *prometheus.GaugeVec
	rtcpSent  *prometheus.CounterVec
	authFails *prometheus.CounterVec
	rocTrials *prometheus.CounterVec
	switches  *prometheus.CounterVec
	joinKeys  *prometheus.CounterVec
	remb      rembMetrics
}

// NewMetrics creates the ingest metrics and registers them with reg; a nil
// reg leaves them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	stream := []string{"stream"}
	m := &Metrics{
		packets: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_packets_total",
			Help: "RTP packets delivered to the stream's tracks."}, stream),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_bytes_total",
			Help: "RTP payload bytes delivered to the stream's tracks."}, stream),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_dropped_total",
			Help: "Datagrams dropped by ingest, by reason."}, []string{"stream", "reason"}),
		lost: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_lost_packets_total",
			Help: "RTP packets lost on the way from the sender (RFC 3550 A.3)."}, stream),
		jitter: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "mediagate_ingest_jitter_seconds",
			Help: "Interarrival jitter of the sender's RTP (RFC 3550 A.8)."}, []string{"stream", "kind"}),
		latched: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "mediagate_ingest_latched",
			Help: "1 while the source is latched onto a sender, else 0."}, stream),
		rtcpSent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_rtcp_sent_total",
			Help: "RTCP packets sent back to the sender, by type."}, []string{"stream", "type"}),
		authFails: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_srtp_auth_failures_total",
			Help: "SRTP and SRTCP packets whose authentication tag did not verify."}, stream),
		rocTrials: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_srtp_roc_trials_total",
			Help: "SRTP authentications tried with a guessed rollover counter, for senders met mid-stream."}, stream),
		switches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_ssrc_switches_total",
			Help: "Times the latched sender restarted with a new SSRC that took a track over at once."}, stream),
		joinKeys: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mediagate_ingest_join_keyframe_requests_total",
			Help: "PLIs or FIRs sent at once for a joining viewer, outside keyframe_interval (also in mediagate_ingest_rtcp_sent_total)."}, stream),
	}
	m.remb = newREMBMetrics()
	if reg != nil {
		reg.MustRegister(m.packets, m.bytes, m.dropped, m.lost, m.jitter, m.latched, m.rtcpSent, m.authFails, m.rocTrials, m.switches, m.joinKeys)
		m.remb.register(reg)
	}
	return m
}

// Forget deletes every series of the named stream, for a stream that was
// removed for good. Call it only after the stream's Source is closed.
func (m *Metrics) Forget(stream string) {
	if m == nil {
		return
	}
	l := prometheus.Labels{"stream": stream}
	vecs := []*prometheus.MetricVec{m.packets.MetricVec, m.bytes.MetricVec, m.dropped.MetricVec,
		m.lost.MetricVec, m.jitter.MetricVec, m.latched.MetricVec, m.rtcpSent.MetricVec, m.authFails.MetricVec,
		m.rocTrials.MetricVec, m.switches.MetricVec, m.joinKeys.MetricVec}
	for _, v := range append(vecs, m.remb.vecs()...) {
		v.DeletePartialMatch(l)
	}
}

// sourceMetrics are one stream's series, resolved once so that the packet
// path never looks up labels.
type sourceMetrics struct {
	packets, bytes, lost, authFails prometheus.Counter
	rocTrials, ssrcSwitches         prometheus.Counter
	dropped                         [numDropReasons]prometheus.Counter
	jitterVideo, jitterAudio        prometheus.Gauge
	latched                         prometheus.Gauge
	rr, pli, fir, rembSent          prometheus.Counter
	joinKeys                        prometheus.Counter
	rembSeries
}

func (m *Metrics) forStream(name string) *sourceMetrics {
	if m == nil {
		m = NewMetrics(nil)
	}
	sm := &sourceMetrics{
		packets:      m.packets.WithLabelValues(name),
		bytes:        m.bytes.WithLabelValues(name),
		lost:         m.lost.WithLabelValues(name),
		authFails:    m.authFails.WithLabelValues(name),
		rocTrials:    m.rocTrials.WithLabelValues(name),
		ssrcSwitches: m.switches.WithLabelValues(name),
		jitterVideo:  m.jitter.WithLabelValues(name, "video"),
		jitterAudio:  m.jitter.WithLabelValues(name, "audio"),
		latched:      m.latched.WithLabelValues(name),
		rr:           m.rtcpSent.WithLabelValues(name, rtcpRR),
		pli:          m.rtcpSent.WithLabelValues(name, rtcpPLI),
		fir:          m.rtcpSent.WithLabelValues(name, rtcpFIR),
		rembSent:     m.rtcpSent.WithLabelValues(name, rtcpREMB),
		joinKeys:     m.joinKeys.WithLabelValues(name),
		rembSeries:   m.remb.forStream(name),
	}
	for r := range numDropReasons {
		sm.dropped[r] = m.dropped.WithLabelValues(name, r.String())
	}
	return sm
}

// logEvery is how often one kind of hot-path trouble may be logged or
// published as an event.
const logEvery = time.Second

// gate opens at most once per period. It is lock-free and allocation-free,
// so the packet path may consult it for every drop.
type gate struct {
	next atomic.Int64 // monotonic nanoseconds since the source's epoch
}

// allow reports whether the gate opens at elapsed, and if so closes it for
// the next period.
func (g *gate) allow(elapsed, period time.Duration) bool {
	next := g.next.Load()
	if int64(elapsed) < next {
		return false
	}
	return g.next.CompareAndSwap(next, int64(elapsed+period))
}

// drop counts a datagram that will not be delivered and logs the reason at
// most once per second, with the number dropped for it since the last line.
// It takes no lock.
func (s *Source) drop(r dropReason, from netip.AddrPort, now time.Time) {
	s.met.dropped[r].Inc()
	n := s.dropsSinceLog[r].Add(1)
	if !s.dropGates[r].allow(now.Sub(s.epoch), logEvery) {
		return
	}
	s.dropsSinceLog[r].Add(-n)
	s.log.Warn("ingest dropped datagrams", slog.String("reason", r.String()),
		slog.String("remote", from.String()), slog.Int64("count", n))
}
