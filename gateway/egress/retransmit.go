package egress

import (
	"math/bits"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// nackHistorySize is how many sent packets each video track keeps for
// retransmission (a power of two): about half a second of a 4 Mbit/s
// stream, longer than any round trip a retransmission can still help. The
// history refers to the shared packets instead of copying them
// (outbound.RefHistory): 10 KiB a track. Audio negotiates no NACK and keeps
// none.
const nackHistorySize = 256

// nackBacklog bounds the NACK pairs waiting for a forwarder; a NACK that
// finds it full loses the pairs that do not fit and is counted as limited.
const nackBacklog = 32

// nackRequest is one pair of a generic NACK (RFC 4585 §6.2.1: a PID and a
// bitmask BLP of 16 more) for the track sent with ssrc.
type nackRequest struct {
	ssrc uint32
	pair rtcp.NackPair
}

// nack takes a generic NACK the viewer sent, on the sender's RTCP
// goroutine. A NACK for the forwarder's track, within the viewer's
// budget, goes to the forwarder goroutine, which owns the history; one
// beyond the budget or the backlog is counted in
// mediagate_egress_nack_limited_total. A compound packet that names
// several tracks reaches every sender's RTCP loop: each answers its own.
func (f *forwarder) nack(p *rtcp.TransportLayerNack, now time.Time) {
	b := f.track.bound.Load()
	if f.nacks == nil || b == nil || p.MediaSSRC != b.ssrc {
		return
	}
	if !f.v.nackGuard.allow(nackCount(p), now) {
		f.v.metrics.nackLimited.Inc()
		return
	}
	for _, pair := range p.Nacks {
		select {
		case f.nacks <- nackRequest{ssrc: b.ssrc, pair: pair}:
		default:
			f.v.metrics.nackLimited.Inc()
			return
		}
	}
}

// nackCount is how many packets a NACK asks for: each pair names one packet
// and up to 16 more in its bitmask.
func nackCount(n *rtcp.TransportLayerNack) int {
	c := 0
	for _, p := range n.Nacks {
		c += 1 + bits.OnesCount16(uint16(p.LostPackets))
	}
	return c
}

// resend answers one NACK pair from the track's history, on the forwarder
// goroutine: each packet still held goes out again with the header it was
// sent with, through the binding it was sent on.
func (f *forwarder) resend(r nackRequest) {
	b := f.track.bound.Load()
	if b == nil || b.ssrc != r.ssrc {
		return
	}
	f.cur = b
	r.pair.Range(func(seq uint16) bool {
		f.out.Resend(f.retransmit, r.ssrc, seq)
		return true
	})
}

// writeRetransmit writes one retransmission, which pion or the fast path
// protects again with the same sequence number and rollover counter; it is the
// outbound.Writer of Resend. Retransmissions count in
// mediagate_egress_nack_retransmits_total, not as packets sent.
func (f *forwarder) writeRetransmit(h *rtp.Header, payload []byte) (int, error) {
	n, err := f.write(h, payload)
	if err != nil {
		f.v.metrics.writeErrors.Inc()
		f.v.errs.Warn("write retransmission", "kind", f.plan.src.Kind, "err", err)
		return n, err
	}
	if n > 0 {
		f.v.metrics.nackRetransmits.Inc()
	}
	return n, nil
}
