package outbound

import (
	"math/rand/v2"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
)

// Source restart detection, after RFC 3550 §A.1: a sequence number more
// than maxDropout ahead or maxMisorder behind the newest one, or an RTP
// timestamp that disagrees with the wall clock by more than maxTSSkew,
// means the source restarted (or another encoder or publisher took over).
const (
	maxDropout  = 3000
	maxMisorder = 100
	maxTSSkew   = 10 * time.Second
)

// Rewriter maps the sequence numbers and timestamps of whatever source feeds
// one subscriber into that subscriber's own RTP stream, which stays
// continuous across source restarts and track changes (RFC 3550 §5.1: the
// sequence number grows by one per packet, the timestamp with the sampling
// clock). The shared stream.Packet is never changed: the caller writes the mapped
// numbers into a header of its own.
//
// The zero value is ready to use; set ClockRate and Gate before the first
// packet. A Rewriter is not safe for concurrent use: the goroutine that
// drains the subscription owns it. No method allocates.
type Rewriter struct {
	// ClockRate is the source's RTP clock rate in Hz. Zero turns off the
	// timestamp check of restart detection and the wall-clock advance of
	// timestamps across a restart.
	ClockRate uint32
	// Gate makes the stream start, and restart after a source restart, only
	// on a keyframe: set it for video.
	Gate bool

	started bool // a packet went out: out* are valid
	synced  bool // the current source is mapped: the offsets are valid

	srcSSRC     uint32
	lastSrcSeq  uint16
	lastSrcTS   uint32
	lastArrival time.Time

	seqOffset uint16
	tsOffset  uint32
	sameClock bool      // the next mapping keeps tsOffset (ResyncSameClock)
	outSeq    uint16    // newest sequence number sent
	outTS     uint32    // timestamp of the newest packet sent
	sentAt    time.Time // when outTS went out
}

// Rewrite maps p at time now. ok is false when p must be dropped: before the
// first keyframe after joining or after a restart, when Gate is set.
// lostSync is true when p revealed a source restart: a gated caller then
// asks the source for a keyframe.
func (r *Rewriter) Rewrite(p *stream.Packet, now time.Time) (seq uint16, ts uint32, ok, lostSync bool) {
	arrival := p.Arrival
	if arrival.IsZero() {
		arrival = now
	}
	if r.synced && r.discontinuous(p, arrival) {
		r.synced, lostSync = false, true
	}
	rebased := !r.synced
	if rebased {
		if r.Gate && !p.Keyframe {
			return 0, 0, false, lostSync
		}
		r.rebase(p, now)
	}
	seq, ts = p.SequenceNumber+r.seqOffset, p.Timestamp+r.tsOffset
	if rebased || SeqNewer(p.SequenceNumber, r.lastSrcSeq) {
		r.lastSrcSeq, r.lastSrcTS, r.lastArrival = p.SequenceNumber, p.Timestamp, arrival
		r.outSeq = seq
		if rebased || int32(ts-r.outTS) > 0 {
			r.outTS, r.sentAt = ts, now
		}
	}
	r.started, r.synced = true, true
	return seq, ts, true, lostSync
}

// discontinuous reports whether p cannot continue the current mapping.
func (r *Rewriter) discontinuous(p *stream.Packet, arrival time.Time) bool {
	if p.SSRC != r.srcSSRC {
		return true
	}
	if d := p.SequenceNumber - r.lastSrcSeq; d >= maxDropout && d <= 1<<16-maxMisorder {
		return true
	}
	if r.ClockRate == 0 {
		return false
	}
	limit := maxTSSkew.Seconds() * float64(r.ClockRate)
	elapsed := arrival.Sub(r.lastArrival).Seconds() * float64(r.ClockRate)
	skew := float64(int32(p.Timestamp-r.lastSrcTS)) - elapsed
	return skew > limit || -skew > limit
}

// rebase maps p to continue the stream sent: the next sequence number, and
// a timestamp advanced by the wall-clock time since the newest packet. The
// first mapping starts at random values (RFC 3550 §5.1).
func (r *Rewriter) rebase(p *stream.Packet, now time.Time) {
	nextSeq, nextTS := uint16(rand.Uint32()), rand.Uint32()
	if r.started {
		nextSeq = r.outSeq + 1
		nextTS = r.outTS + max(1, ticks(now.Sub(r.sentAt), r.ClockRate))
		if same := p.Timestamp + r.tsOffset; r.sameClock && int32(same-r.outTS) > 0 {
			nextTS = same
		}
	}
	r.sameClock = false
	r.srcSSRC = p.SSRC
	r.seqOffset = nextSeq - p.SequenceNumber
	r.tsOffset = nextTS - p.Timestamp
}

// Shift moves the rest of the stream n sequence numbers later, after n
// packets of the caller's own (an inserted STAP-A) took their place.
func (r *Rewriter) Shift(n uint16) {
	r.seqOffset += n
	r.outSeq += n
}

// Skip takes one dropped source packet out of the subscriber's sequence
// space: the packets after it map one sequence number lower, so the
// receiver sees no gap to report as loss. It does nothing before a mapping.
func (r *Rewriter) Skip() {
	if r.synced {
		r.seqOffset--
	}
}

// Resync makes the next packet start a new mapping, as after a source
// restart; the caller uses it when another track starts feeding it.
func (r *Rewriter) Resync() { r.synced, r.sameClock = false, false }

// ResyncSameClock is Resync for a track whose RTP timestamps run on the
// same clock as the one before (a bridge and its camera): the new mapping
// keeps the timestamp offset, so the receiver sees the pictures' true
// spacing across the change; the sequence numbers continue as always.
func (r *Rewriter) ResyncSameClock() { r.synced, r.sameClock = false, true }

// Waiting reports whether a gated stream waits for a keyframe to (re)start.
func (r *Rewriter) Waiting() bool { return r.Gate && !r.synced }

// Started reports whether a packet went out, so that Sender Reports have a
// timestamp to describe.
func (r *Rewriter) Started() bool { return r.started }

// SeqNewer reports whether sequence number a follows b, modulo 2^16
// (RFC 3550 §A.1).
func SeqNewer(a, b uint16) bool { return a != b && a-b < 1<<15 }

// ticks converts d to clockRate units, modulo 2^32; negative is zero.
func ticks(d time.Duration, clockRate uint32) uint32 {
	if d <= 0 {
		return 0
	}
	return uint32(uint64(d.Seconds() * float64(clockRate)))
}
