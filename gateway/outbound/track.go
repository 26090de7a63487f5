package outbound

import (
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// Track is one outbound RTP stream: it rewrites each source packet into a
// header of its own (the shared packet is never touched), inserts
// out-of-band parameter sets before keyframes that lack them, writes the
// packets through the owner's Writer and keeps what its Sender Reports
// announce. It outlives the source tracks that feed it: Follow moves it to
// another and its numbering continues.
//
// The zero value is ready to use; call Follow before the first packet. A
// Track is not safe for concurrent use: the goroutine that drains its feed
// owns it. The per-packet path does not allocate.
type Track struct {
	// SSRC is stamped on every packet and report.
	SSRC uint32
	// PayloadType is stamped on every packet.
	PayloadType uint8
	// OnSPS, when set before Follow, sees each in-band SPS of an H.264
	// source (egress checks its profile against the viewer's offer).
	OnSPS func(sps []byte)
	// History, when set, keeps each packet the track numbered, sent or
	// not, for Resend; the goroutine that owns the track owns it.
	History *RefHistory

	rw     Rewriter
	params paramSets
	hdr    rtp.Header // reused for every packet

	packets uint32 // RTP packets sent, for the Sender Report
	octets  uint32 // payload octets sent
}

// Follow makes src feed the track: its clock rate and, for H.264 and H.265, its
// out-of-band parameter sets. The next packet starts a new mapping, gated on
// a keyframe for video.
func (t *Track) Follow(src *stream.Track) {
	t.rw.ClockRate = src.Codec.ClockRate
	t.rw.Gate = src.Kind == stream.Video
	t.rw.Resync()
	t.params = newParamSets(src, t.OnSPS)
}

// Switch is Follow for a source whose RTP timestamps run on the same clock
// as the current one's (egress's bridge and the camera it bridges): its
// timestamps continue the current mapping instead of the wall clock.
func (t *Track) Switch(src *stream.Track) {
	t.Follow(src)
	t.rw.ResyncSameClock()
}

// Forward sends one source packet through w, or drops it while gated. It
// returns whether the source must be asked for a keyframe: a gated track
// lost its mapping to a source restart.
func (t *Track) Forward(w Writer, p *stream.Packet, now time.Time) (keyframe bool) {
	seq, ts, ok, lostSync := t.rw.Rewrite(p, now)
	keyframe = lostSync && t.rw.Gate
	if !ok {
		return keyframe
	}
	if stap := t.params.before(p); stap != nil {
		t.write(w, stap, seq, ts, false)
		t.rw.Shift(1)
		seq++
	}
	t.write(w, p.Payload, seq, ts, p.Marker)
	return keyframe
}

// write sends one packet with the track's header.
func (t *Track) write(w Writer, payload []byte, seq uint16, ts uint32, marker bool) {
	t.hdr = rtp.Header{
		Version: 2, Marker: marker, PayloadType: t.PayloadType,
		SequenceNumber: seq, Timestamp: ts, SSRC: t.SSRC,
	}
	if t.History != nil {
		// Kept even if the write fails: the sequence number is spent, and
		// the receiver will NACK the gap (a local firewall's drop, a full
		// socket buffer).
		t.History.Put(&t.hdr, payload)
	}
	if n, err := w.WriteRTP(&t.hdr, payload); err != nil || n == 0 {
		return
	}
	t.packets++
	t.octets += uint32(len(payload))
}

// Resend writes the packet the track sent as seq on ssrc again through w,
// with the header it went out with and the same payload, and reports
// whether it went out: the answer to a generic NACK (RFC 4585 §6.2.1, no
// RTX stream). A packet the History no longer holds is not sent. A
// retransmission is not a new packet: the Sender Report's counts stay.
func (t *Track) Resend(w Writer, ssrc uint32, seq uint16) bool {
	if t.History == nil {
		return false
	}
	payload, ok := t.History.Get(ssrc, seq, &t.hdr)
	if !ok {
		return false
	}
	n, err := w.WriteRTP(&t.hdr, payload)
	return err == nil && n > 0
}

// Skip takes one source packet the owner chose not to send (thinning) out
// of the track's sequence space, so the receiver sees no gap.
func (t *Track) Skip() { t.rw.Skip() }

// Waiting reports whether a video track waits for a keyframe to (re)start;
// its owner asks the source for one again on its report tick.
func (t *Track) Waiting() bool { return t.rw.Waiting() }

// Started reports whether a packet went out, so that reports have a
// timestamp to describe.
func (t *Track) Started() bool { return t.rw.Started() }

// Sent returns the RTP packets and payload octets sent so far (modulo
// 2^32), as the Sender Report announces them.
func (t *Track) Sent() (packets, octets uint32) { return t.packets, t.octets }
