package egress

import (
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// reportInterval is how often each viewer track sends a Sender Report, and
// how often a track still waiting for a keyframe asks for one again.
const reportInterval = time.Second

// rtpHeaderSize is the size of the headers egress writes: no CSRC, no
// extension.
const rtpHeaderSize = 12

// forwarder drains one viewer track's subscription on one goroutine: it
// gates on a keyframe, rewrites each packet's header into its own (the
// shared packet is never touched), inserts out-of-band SPS/PPS before
// keyframes that lack them, writes the packet to pion, and sends a Sender
// Report every second.
type forwarder struct {
	v     *Viewer
	plan  *trackPlan
	track *outTrack
	sub   *stream.Subscription
	rw    stream.Rewriter
	hdr   rtp.Header // reused for every packet written

	h264 h264State
	live bool // bound and connected: packets go out
	thin thinner

	packets uint32 // RTP packets sent, for the Sender Report
	octets  uint32 // payload octets sent
	dropped uint64 // subscription drops already counted
}

func newForwarder(v *Viewer, plan *trackPlan, t *outTrack) *forwarder {
	src := plan.src
	f := &forwarder{
		v: v, plan: plan, track: t,
		rw: stream.Rewriter{ClockRate: src.Codec.ClockRate, Gate: src.Kind == stream.Video},
	}
	if isH264(src.Codec.MimeType) {
		f.h264 = newH264State(src.Codec.Fmtp, plan)
	}
	return f
}

// run is the forwarder goroutine. It subscribes when it starts and leaves
// when the viewer stops.
func (f *forwarder) run() {
	f.sub = f.plan.src.Subscribe(f.v.m.cfg.QueueDepth)
	defer f.sub.Close()
	ticker := time.NewTicker(reportInterval)
	defer ticker.Stop()
	bound, ready := f.track.boundCh, f.v.ready
	for {
		select {
		case <-f.v.stopCh:
			f.countDrops()
			return
		case <-bound:
			bound = nil
			f.join(bound, ready)
		case <-ready:
			ready = nil
			f.join(bound, ready)
		case p := <-f.sub.Packets():
			f.forward(p)
		case <-ticker.C:
			f.tick()
		}
	}
}

// join makes the track live once it is both bound and connected, and
// starts the viewer on a fresh keyframe.
func (f *forwarder) join(bound, ready <-chan struct{}) {
	if bound == nil && ready == nil {
		f.live = true
		f.plan.requestKeyframe()
	}
}

// forward sends one source packet, or drops it while not live or gated.
func (f *forwarder) forward(p *stream.Packet) {
	b := f.track.bound.Load()
	if b == nil || !f.live {
		return
	}
	if f.rw.Gate && f.v.keyOnly.Load() && !f.thin.pass(p) {
		f.rw.Skip()
		f.v.metrics.thinned.Inc()
		return
	}
	now := time.Now()
	seq, ts, ok, lostSync := f.rw.Rewrite(p, now)
	if lostSync && f.rw.Gate {
		f.plan.requestKeyframe()
	}
	if !ok {
		return
	}
	if f.h264.enabled {
		if stap := f.h264.before(p, f.v); stap != nil {
			f.write(b, stap, seq, ts, false)
			f.rw.Shift(1)
			seq++
		}
	}
	f.write(b, p.Payload, seq, ts, p.Marker)
}

// write sends one packet with the viewer's header: its SSRC, negotiated
// payload type, and rewritten sequence number and timestamp.
func (f *forwarder) write(b *binding, payload []byte, seq uint16, ts uint32, marker bool) {
	f.hdr = rtp.Header{
		Version: 2, Marker: marker, PayloadType: b.pt,
		SequenceNumber: seq, Timestamp: ts, SSRC: b.ssrc,
	}
	n, err := b.writer.WriteRTP(&f.hdr, payload)
	if err != nil {
		f.v.metrics.writeErrors.Inc()
		f.v.errs.Warn("write rtp", "kind", f.plan.src.Kind, "err", err)
		return
	}
	if n == 0 { // pion drops packets silently until SRTP is up
		return
	}
	f.packets++
	f.octets += uint32(len(payload))
	f.v.metrics.packets.Inc()
	f.v.metrics.bytes.Add(float64(rtpHeaderSize + len(payload)))
}

// tick runs once per reportInterval: drop accounting, keyframe retries,
// and the Sender Report.
func (f *forwarder) tick() {
	f.countDrops()
	b := f.track.bound.Load()
	if b == nil || !f.live {
		return
	}
	if f.rw.Waiting() {
		f.plan.requestKeyframe()
	}
	if !f.rw.Started() {
		return
	}
	if err := f.v.pc.WriteRTCP(f.senderReport(b, time.Now())); err != nil {
		f.v.metrics.writeErrors.Inc()
		f.v.errs.Warn("write sender report", "kind", f.plan.src.Kind, "err", err)
	}
}

func (f *forwarder) countDrops() {
	if f.sub == nil {
		return
	}
	if d := f.sub.Dropped(); d > f.dropped {
		f.v.metrics.queueDropped.Add(float64(d - f.dropped))
		f.dropped = d
	}
}

// senderReport builds the track's SR (RFC 3550 §6.4.1) and an SDES CNAME
// (§6.5.1) matching the answer's a=ssrc cname.
func (f *forwarder) senderReport(b *binding, now time.Time) []rtcp.Packet {
	ntp, rtpTS := f.rw.ReportTimes(f.plan.src.SenderClock(), now)
	return []rtcp.Packet{
		&rtcp.SenderReport{
			SSRC: b.ssrc, NTPTime: ntp, RTPTime: rtpTS,
			PacketCount: f.packets, OctetCount: f.octets,
		},
		&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
			Source: b.ssrc,
			Items:  []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: f.track.streamID}},
		}}},
	}
}
