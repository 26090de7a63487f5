package egress

import (
	"sync"
	"time"
)

// nackBudget is how many NACKed packets per second one viewer may have
// retransmitted, with a burst of one second's worth; NACKs beyond it are
// ignored whole. It caps the rate a single viewer can make the gateway send
// (a NACK storm).
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

// nackGuard is one viewer's retransmission budget (RFC 4585 §6.2.1 generic
// NACK): a token bucket of rate packets a second, shared by the viewer's
// tracks. The viewer's RTCP goroutines, one per sender, call it.
type nackGuard struct {
	ceiling float64 // nackBudget: the rate before and above any REMB

	mu     sync.Mutex
	tokens float64
	rate   float64 // tokens per second and the bucket's size
	last   time.Time
}

func newNACKGuard(perSecond float64) *nackGuard {
	return &nackGuard{ceiling: perSecond, tokens: perSecond, rate: perSecond}
}

// follow sets the budget from a REMB of bitrate bits per second.
func (g *nackGuard) follow(bitrate float64) {
	rate := min(g.ceiling, max(minNACKBudget, rembShare*bitrate/(8*retransmitSize)))
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rate = rate
	g.tokens = min(g.tokens, rate)
}

// allow takes count tokens from the viewer's bucket at now when it holds
// them.
func (g *nackGuard) allow(count int, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
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
