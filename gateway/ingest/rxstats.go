package ingest

import (
	"math"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/stream"
)

// Sequence number validation constants of RFC 3550 Appendix A.1.
const (
	minSequential = 2
	maxDropout    = 3000
	maxMisorder   = 100
	seqMod        = 1 << 16
)

// maxLost is the largest cumulative loss a reception report block carries:
// a signed 24-bit field (RFC 3550 §6.4.1).
const maxLost = 0x7fffff

// seqVerdict is what the receive statistics make of one packet.
type seqVerdict int

const (
	seqValid     seqVerdict = iota // deliver
	seqHold                        // on probation or after a jump: not valid yet
	seqDuplicate                   // already received
)

// rxStats are the receive statistics of one SSRC: RFC 3550 Appendix A.1
// (sequence validation with probation), A.3 (expected and lost packets) and
// A.8 (interarrival jitter), plus a window of recently received sequence
// numbers to drop exact duplicates.
type rxStats struct {
	ssrc      uint32
	clockRate uint32
	lastSeen  time.Time

	maxSeq    uint16 // highest sequence number seen
	cycles    uint32 // shifted count of sequence number cycles
	baseSeq   uint32
	badSeq    uint32 // last 'bad' sequence number + 1
	probation int    // sequential packets still needed to validate the source
	received  uint32

	expectedPrior, receivedPrior uint32
	lostCounted                  int64 // cumulative loss already added to the metric

	transit int32  // relative transit time of the previous packet
	jitter  uint32 // estimated jitter, scaled by 16 (A.8)

	lastSR   uint32    // middle 32 bits of the last SR's NTP timestamp
	lastSRAt time.Time // when that SR arrived

	window seqWindow
	held   *stream.Packet // packet waiting for probation or a resync to confirm it
}

// start begins tracking a new SSRC on probation (A.1: init_seq, then
// max_seq = seq - 1 and probation = MIN_SEQUENTIAL).
func (r *rxStats) start(ssrc uint32, seq uint16, clockRate uint32, now time.Time) {
	*r = rxStats{ssrc: ssrc, clockRate: clockRate, lastSeen: now}
	r.initSeq(seq)
	r.maxSeq = seq - 1
	r.probation = minSequential
}

func (r *rxStats) initSeq(seq uint16) {
	r.baseSeq = uint32(seq)
	r.maxSeq = seq
	r.badSeq = seqMod + 1
	r.cycles = 0
	r.received, r.receivedPrior, r.expectedPrior = 0, 0, 0
	r.window.reset()
}

// update runs the A.1 validation for seq and says whether to deliver it.
func (r *rxStats) update(seq uint16) seqVerdict {
	if r.probation > 0 {
		return r.onProbation(seq)
	}
	ext := r.extend(seq)
	if r.window.has(ext) {
		return seqDuplicate
	}
	udelta := seq - r.maxSeq
	switch {
	case udelta < maxDropout:
		if seq < r.maxSeq {
			r.cycles += seqMod
		}
		r.maxSeq = seq
	case uint32(udelta) <= seqMod-maxMisorder:
		// A very large jump: believe it only when the next packet follows.
		if uint32(seq) != r.badSeq {
			r.badSeq = uint32(seq+1) & (seqMod - 1)
			return seqHold
		}
		r.initSeq(seq)
		r.window.add(int64(seq) - 1) // the held packet, delivered with this one
		ext = int64(seq)
	default:
		// Duplicate or reordered packet, counted and delivered.
	}
	r.window.add(ext)
	r.received++
	return seqValid
}

func (r *rxStats) onProbation(seq uint16) seqVerdict {
	if seq != r.maxSeq+1 {
		r.probation = minSequential - 1
		r.maxSeq = seq
		return seqHold
	}
	r.probation--
	r.maxSeq = seq
	if r.probation > 0 {
		return seqHold
	}
	r.initSeq(seq)
	r.window.add(int64(seq) - 1) // the held packet, delivered with this one
	r.window.add(int64(seq))
	r.received++
	return seqValid
}

// extend returns seq extended with the cycle count, placing it just before
// or after maxSeq across a wrap.
func (r *rxStats) extend(seq uint16) int64 {
	ext := int64(r.cycles) + int64(seq)
	udelta := seq - r.maxSeq
	switch {
	case udelta < maxDropout && seq < r.maxSeq:
		ext += seqMod
	case uint32(udelta) > seqMod-maxMisorder && seq > r.maxSeq:
		ext -= seqMod
	}
	return ext
}

// updateJitter runs A.8 for a delivered packet: arrival and the RTP
// timestamp, both in units of the clock rate.
func (r *rxStats) updateJitter(arrival, ts uint32) {
	if r.clockRate == 0 {
		return
	}
	transit := int32(arrival - ts)
	if r.received <= 1 {
		r.transit = transit
		return
	}
	d := int64(transit - r.transit)
	r.transit = transit
	if d < 0 {
		d = -d
	}
	r.jitter += uint32(d) - ((r.jitter + 8) >> 4)
}

// jitterSeconds is the current jitter estimate in seconds.
func (r *rxStats) jitterSeconds() float64 {
	if r.clockRate == 0 {
		return 0
	}
	return float64(r.jitter>>4) / float64(r.clockRate)
}

// report builds the reception report block for this SSRC (RFC 3550
// §6.4.1, loss per A.3) and starts a new reporting interval.
func (r *rxStats) report(now time.Time) rtcp.ReceptionReport {
	extMax := r.cycles + uint32(r.maxSeq)
	expected := extMax - r.baseSeq + 1
	lost := min(max(int64(expected)-int64(r.received), 0), maxLost)
	expectedInterval := expected - r.expectedPrior
	r.expectedPrior = expected
	receivedInterval := r.received - r.receivedPrior
	r.receivedPrior = r.received
	lostInterval := int64(expectedInterval) - int64(receivedInterval)
	var fraction uint8
	if expectedInterval != 0 && lostInterval > 0 {
		fraction = uint8((lostInterval << 8) / int64(expectedInterval))
	}
	rr := rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       fraction,
		TotalLost:          uint32(lost),
		LastSequenceNumber: extMax,
		Jitter:             r.jitter >> 4,
	}
	if !r.lastSRAt.IsZero() {
		rr.LastSenderReport = r.lastSR
		rr.Delay = uint32(min(now.Sub(r.lastSRAt).Seconds()*65536, math.MaxUint32))
	}
	return rr
}

// newlyLost returns the loss not yet added to the lost-packets metric.
func (r *rxStats) newlyLost(cumulative int64) int64 {
	if cumulative <= r.lostCounted {
		return 0
	}
	d := cumulative - r.lostCounted
	r.lostCounted = cumulative
	return d
}
