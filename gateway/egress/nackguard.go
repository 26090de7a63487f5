package egress

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/outbound"
)

// nackBudget is how many NACKed packets per second one viewer may have
// retransmitted, with a burst of one second's worth; NACKs beyond it are
// dropped before pion's responder sees them. pion's responder already
// resends one packet at most once per round-trip time; this caps the rate a
// single viewer can make the gateway send (a NACK storm).
const nackBudget = 400

// Once a viewer has sent REMB, its budget follows it: retransmissions may
// take at most rembShare of the bitrate the viewer says its link carries
// (counted in packets of retransmitSize bytes), and never fewer than
// minNACKBudget packets a second. A viewer behind a congested link would
// otherwise NACK what the congestion dropped and have the gateway resend
// it into the same congestion, several times the link's rate.
const (
	rembShare      = 0.25
	retransmitSize = 1200
	minNACKBudget  = 20
)

// nackGuardFactory builds one nackGuard per PeerConnection. metrics maps the
// SSRC of a viewer track to its stream's metrics (nil when unknown).
type nackGuardFactory struct {
	metrics   func(ssrc uint32) *streamMetrics
	perSecond float64
}

// NewInterceptor returns the guard of one PeerConnection.
func (f *nackGuardFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &nackGuard{factory: f, tokens: f.perSecond, rate: f.perSecond}, nil
}

// nackGuard limits the NACKs one viewer may send (RFC 4585 §6.2.1 generic
// NACK) and counts the retransmissions pion's responder makes.
type nackGuard struct {
	interceptor.NoOp
	factory *nackGuardFactory

	mu     sync.Mutex
	tokens float64
	rate   float64 // tokens per second and the bucket's size
	last   time.Time
}

// BindRTCPReader filters the viewer's RTCP: a compound packet keeps its NACKs
// while the viewer has budget, and loses them when it has not.
func (g *nackGuard) BindRTCPReader(reader interceptor.RTCPReader) interceptor.RTCPReader {
	return interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		for {
			n, attr, err := reader.Read(b, a)
			if err != nil {
				return n, attr, err
			}
			if n, keep := g.limit(b, n); keep {
				return n, attr, nil
			}
		}
	})
}

// limit drops the NACKs beyond the budget from the compound packet in b[:n],
// rewriting b in place. keep is false when nothing is left of the packet.
func (g *nackGuard) limit(b []byte, n int) (int, bool) {
	pkts, err := rtcp.Unmarshal(b[:n])
	if err != nil {
		return n, true // the reader after us counts it as malformed
	}
	kept := pkts[:0]
	dropped := false
	for _, p := range pkts {
		if remb, ok := p.(*rtcp.ReceiverEstimatedMaximumBitrate); ok {
			g.follow(float64(remb.Bitrate))
		}
		if nack, ok := p.(*rtcp.TransportLayerNack); ok && !g.allow(nackCount(nack)) {
			if m := g.factory.metrics(nack.MediaSSRC); m != nil {
				m.nackLimited.Inc()
			}
			dropped = true
			continue
		}
		kept = append(kept, p)
	}
	if !dropped {
		return n, true
	}
	if len(kept) == 0 {
		return 0, false
	}
	out, err := rtcp.Marshal(kept)
	if err != nil || len(out) > len(b) {
		return 0, false
	}
	return copy(b, out), true
}

// follow sets the budget from a REMB of bitrate bits per second.
func (g *nackGuard) follow(bitrate float64) {
	rate := min(g.factory.perSecond, max(minNACKBudget, rembShare*bitrate/(8*retransmitSize)))
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rate = rate
	g.tokens = min(g.tokens, rate)
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

// allow takes count tokens from the viewer's bucket when it holds them.
func (g *nackGuard) allow(count int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if !g.last.IsZero() {
		g.tokens = min(g.rate, g.tokens+now.Sub(g.last).Seconds()*g.rate)
	}
	g.last = now
	if float64(count) > g.tokens {
		return false
	}
	g.tokens -= float64(count)
	return true
}

// BindLocalStream counts retransmissions: egress writes each track's
// sequence numbers in increasing order, so a packet that is not newer than
// the newest one written is pion's responder resending it.
func (g *nackGuard) BindLocalStream(info *interceptor.StreamInfo, writer interceptor.RTPWriter) interceptor.RTPWriter {
	m := g.factory.metrics(info.SSRC)
	if m == nil {
		return writer
	}
	var newest atomic.Int64
	newest.Store(-1)
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		last := newest.Load()
		if last >= 0 && !outbound.SeqNewer(h.SequenceNumber, uint16(last)) {
			m.nackRetransmits.Inc()
		} else {
			newest.Store(int64(h.SequenceNumber))
		}
		return writer.Write(h, payload, a)
	})
}
