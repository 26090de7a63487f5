package bwe

// Growth of the loss-based rate per report while loss stays under lossLow
// (draft-ietf-rmcat-gcc-02 §6: A_s(i) = 1.05 A_s(i-1)).
const lossGrowth = 1.05

// LossBased is the loss-based half of GCC as a sender runs it
// (draft-ietf-rmcat-gcc-02 §6) on the receiver reports (RFC 3550 §6.4.2)
// of one receiver. A receiver's REMB is delay-based only, and a drop-tail
// queue that is already full shows no growing delay, only loss: behind such
// a link a browser's REMB keeps rising while a third of the packets are
// lost. The egress of a viewer takes the lower of the two.
//
// The zero value does not bind. It is not safe for concurrent use.
type LossBased struct {
	rate float64 // A_s in bit/s; 0 while loss does not bind
}

// Report files the fraction lost (0..1) of one receiver report, given the
// rate the receiver currently gets (bit/s), and returns the bound, 0 when
// it does not bind. Above 10% loss the bound falls to A (1 - p/2), but not
// below half of ceiling (the receiver's REMB): reports keep showing the
// loss of a sender that has not slowed down yet, and cutting again on each
// would collapse the rate long after the link was matched. Between 2% and
// 10% it holds; below 2% it grows by 5% a report until it reaches ceiling,
// where it stops binding.
func (l *LossBased) Report(fractionLost, current, ceiling float64) float64 {
	switch {
	case fractionLost > lossHigh:
		base := current
		if l.rate > 0 {
			base = min(base, l.rate)
		}
		l.rate = max(base*(1-0.5*min(fractionLost, 1)), ceiling/2)
	case fractionLost >= lossLow:
		if l.rate == 0 {
			l.rate = current
		}
	case l.rate > 0:
		l.rate *= lossGrowth
		if ceiling > 0 && l.rate >= ceiling {
			l.rate = 0
		}
	}
	return l.rate
}

// Bound returns the current bound, 0 when loss does not bind.
func (l *LossBased) Bound() float64 { return l.rate }

// Apply returns rate limited by the bound.
func (l *LossBased) Apply(rate float64) float64 {
	if l.rate > 0 {
		return min(rate, l.rate)
	}
	return rate
}
