package output

import (
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/stream"
)

// nackBacklog bounds the NACK requests waiting for the send loop; a
// request that finds it full is dropped and counted.
const nackBacklog = 64

// nackRequest asks the send loop to resend packets of one track.
type nackRequest struct {
	kind stream.Kind
	seqs []uint16
}

// tokenBucket is the receiver's retransmission budget: rate packets per
// second, with a burst of one second's worth. The read loop owns it.
type tokenBucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate int) tokenBucket {
	return tokenBucket{rate: float64(rate), tokens: float64(rate)}
}

// take returns how many of n packets fit the budget at now, and spends
// them.
func (b *tokenBucket) take(n int, now time.Time) int {
	if !b.last.IsZero() {
		b.tokens = min(b.rate, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	granted := min(n, int(b.tokens))
	b.tokens -= float64(granted)
	return granted
}

// nackSeqs lists the sequence numbers a generic NACK asks for (RFC 4585
// §6.2.1: each pair names PID and, in its bitmask BLP, up to 16 more).
// A compound packet is at most a datagram, so the list is bounded.
func nackSeqs(n *rtcp.TransportLayerNack) []uint16 {
	var seqs []uint16
	for i := range n.Nacks {
		n.Nacks[i].Range(func(seq uint16) bool {
			seqs = append(seqs, seq)
			return true
		})
	}
	return seqs
}

// handleNACK passes a receiver's NACK of one of the Output's SSRCs to the
// send loop, within the retransmission budget.
func (o *Output) handleNACK(n *rtcp.TransportLayerNack, now time.Time) {
	kind, ok := o.kindOf(n.MediaSSRC)
	if !ok {
		return
	}
	seqs := nackSeqs(n)
	granted := o.budget.take(len(seqs), now)
	if denied := len(seqs) - granted; denied > 0 {
		o.met.drop(dropNACKBudget, denied)
	}
	if granted == 0 {
		return
	}
	select {
	case o.nacks <- nackRequest{kind: kind, seqs: seqs[:granted]}:
	default:
		o.met.drop(dropNACKBacklog, granted)
	}
}

// kindOf returns the kind of the track sent with ssrc.
func (o *Output) kindOf(ssrc uint32) (stream.Kind, bool) {
	for kind, s := range o.ssrcs {
		if s == ssrc {
			return stream.Kind(kind), true
		}
	}
	return 0, false
}
