package output

import (
	"math/rand/v2"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
)

// Source restart detection, after RFC 3550 §A.1: a sequence number more
// than maxDropout ahead or maxMisorder behind the newest one, or an RTP
// timestamp that disagrees with the wall clock by more than maxTSSkew,
// means the source restarted (or a new publisher took over the track).
const (
	maxDropout  = 3000
	maxMisorder = 100
	maxTSSkew   = 10 * time.Second
)

// rewriter maps the sequence numbers and timestamps of whatever source
// feeds a track into one continuous RTP stream (RFC 3550 §5.1: the
// sequence number grows by one per packet, the timestamp with the sampling
// clock), across source restarts and track changes. The send loop owns it.
type rewriter struct {
	clockRate uint32
	gate      bool // (re)start only on a keyframe: video

	started bool // a packet went out: out* are valid
	synced  bool // the current source is mapped: the offsets are valid

	srcSSRC     uint32
	lastSrcSeq  uint16
	lastSrcTS   uint32
	lastArrival time.Time

	seqOffset uint16
	tsOffset  uint32
	outSeq    uint16    // newest sequence number sent
	outTS     uint32    // timestamp of the newest packet sent
	sentAt    time.Time // when outTS went out
}

// rewrite maps p at now. ok is false when p must be dropped: before the
// first keyframe after joining or after a restart. lostSync reports that p
// revealed a restart, so the caller asks the source for a keyframe.
func (r *rewriter) rewrite(p *stream.Packet, now time.Time) (seq uint16, ts uint32, ok, lostSync bool) {
	arrival := p.Arrival
	if arrival.IsZero() {
		arrival = now
	}
	if r.synced && r.discontinuous(p, arrival) {
		r.synced, lostSync = false, true
	}
	rebased := !r.synced
	if rebased {
		if r.gate && !p.Keyframe {
			return 0, 0, false, lostSync
		}
		r.rebase(p, now)
	}
	seq, ts = p.SequenceNumber+r.seqOffset, p.Timestamp+r.tsOffset
	if rebased || seqNewer(p.SequenceNumber, r.lastSrcSeq) {
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
func (r *rewriter) discontinuous(p *stream.Packet, arrival time.Time) bool {
	if p.SSRC != r.srcSSRC {
		return true
	}
	if d := p.SequenceNumber - r.lastSrcSeq; d >= maxDropout && d <= 1<<16-maxMisorder {
		return true
	}
	if r.clockRate == 0 {
		return false
	}
	limit := maxTSSkew.Seconds() * float64(r.clockRate)
	elapsed := arrival.Sub(r.lastArrival).Seconds() * float64(r.clockRate)
	skew := float64(int32(p.Timestamp-r.lastSrcTS)) - elapsed
	return skew > limit || -skew > limit
}

// rebase maps p to continue the stream sent: the next sequence number, and
// a timestamp advanced by the wall-clock time since the newest packet. The
// first mapping starts at random values (RFC 3550 §5.1).
func (r *rewriter) rebase(p *stream.Packet, now time.Time) {
	nextSeq, nextTS := uint16(rand.Uint32()), rand.Uint32()
	if r.started {
		nextSeq = r.outSeq + 1
		nextTS = r.outTS + max(1, ticks(now.Sub(r.sentAt), r.clockRate))
	}
	r.srcSSRC = p.SSRC
	r.seqOffset = nextSeq - p.SequenceNumber
	r.tsOffset = nextTS - p.Timestamp
}

// resync makes the next packet start a new mapping, as after a restart:
// the track feeding the sender changed.
func (r *rewriter) resync() { r.synced = false }

// shift moves the rest of the stream n sequence numbers later, after n
// packets of the Output's own (an inserted STAP-A) took their place.
func (r *rewriter) shift(n uint16) {
	r.seqOffset += n
	r.outSeq += n
}

// waiting reports whether the track waits for a keyframe to (re)start.
func (r *rewriter) waiting() bool { return r.gate && !r.synced }

// seqNewer reports whether sequence number a follows b, modulo 2^16
// (RFC 3550 §A.1).
func seqNewer(a, b uint16) bool { return a != b && a-b < 1<<15 }

// ticks converts d to clockRate units, modulo 2^32; negative is zero.
func ticks(d time.Duration, clockRate uint32) uint32 {
	if d <= 0 {
		return 0
	}
	return uint32(uint64(d.Seconds() * float64(clockRate)))
}
