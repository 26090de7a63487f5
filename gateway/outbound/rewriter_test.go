package outbound

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// rewriteStep is one packet fed to a Rewriter, after advancing its clock by
// after and applying do.
type rewriteStep struct {
	after    time.Duration
	do       func(*Rewriter) // Shift, Skip or Resync before the packet; nil: none
	ssrc     uint32
	seq      uint16
	ts       uint32
	key      bool
	forward  bool   // expected: mapped and sent
	lostSync bool   // expected: a source restart detected
	seqDelta int    // expected out seq minus the previous sent one's (0: not checked)
	tsDelta  uint32 // expected out ts minus the previous sent one's (0: not checked)
}

var (
	shiftOne = func(r *Rewriter) { r.Shift(1) }
	skip     = func(r *Rewriter) { r.Skip() }
	resync   = func(r *Rewriter) { r.Resync() }
)

// rewriteCases walk the mapping through the cases RFC 3550 §A.1 tells
// apart (in order, reordered, a gap, a restart by sequence jump, SSRC or
// clock) and through the caller's own changes to the sequence space.
var rewriteCases = []struct {
	name  string
	gate  bool
	steps []rewriteStep
}{
	{"gated join", true, []rewriteStep{
		{ssrc: 1, seq: 10, ts: 1000},
		{ssrc: 1, seq: 11, ts: 4000, key: true, forward: true},
		{ssrc: 1, seq: 12, ts: 7000, forward: true, seqDelta: 1, tsDelta: 3000},
		{ssrc: 1, seq: 13, ts: 7000, forward: true, seqDelta: 1},
	}},
	{"wraparound and reordering", true, []rewriteStep{
		{ssrc: 1, seq: 65534, ts: 4294967000, key: true, forward: true},
		{ssrc: 1, seq: 0, ts: 5704, forward: true, seqDelta: 2, tsDelta: 6000},
		{ssrc: 1, seq: 65535, ts: 2704, forward: true, seqDelta: -1},
		{ssrc: 1, seq: 1, ts: 8704, forward: true, seqDelta: 2},
	}},
	{"lost packets keep their distance", true, []rewriteStep{
		{ssrc: 1, seq: 10, key: true, forward: true},
		{ssrc: 1, seq: 13, forward: true, seqDelta: 3},
		{ssrc: 1, seq: 12, forward: true, seqDelta: -1},
	}},
	{"ssrc change waits for a keyframe", true, []rewriteStep{
		{ssrc: 1, seq: 100, ts: 1000, key: true, forward: true},
		{after: 2 * time.Second, ssrc: 2, seq: 9, ts: 77, lostSync: true},
		{ssrc: 2, seq: 10, ts: 77, key: true, forward: true, seqDelta: 1, tsDelta: 180000},
		{ssrc: 2, seq: 11, ts: 3077, forward: true, seqDelta: 1, tsDelta: 3000},
	}},
	{"sequence jump", true, []rewriteStep{
		{ssrc: 1, seq: 100, ts: 1000, key: true, forward: true},
		{ssrc: 1, seq: 9000, ts: 4000, lostSync: true},
		{ssrc: 1, seq: 9001, ts: 7000, key: true, forward: true, seqDelta: 1},
	}},
	{"sequence jump on a keyframe continues at once", true, []rewriteStep{
		{ssrc: 1, seq: 10, key: true, forward: true},
		{ssrc: 1, seq: 9000, key: true, forward: true, lostSync: true, seqDelta: 1},
	}},
	{"timestamp jump", true, []rewriteStep{
		{ssrc: 1, seq: 100, ts: 1000, key: true, forward: true},
		{after: 40 * time.Millisecond, ssrc: 1, seq: 101, ts: 1000 + 3600*90000, lostSync: true},
		{after: 40 * time.Millisecond, ssrc: 1, seq: 102, ts: 1000 + 3600*90000, key: true, forward: true, seqDelta: 1, tsDelta: 7200},
	}},
	{"stall keeps the mapping", true, []rewriteStep{
		{ssrc: 1, seq: 100, ts: 1000, key: true, forward: true},
		{after: time.Minute, ssrc: 1, seq: 101, ts: 1000 + 60*90000, forward: true, seqDelta: 1, tsDelta: 60 * 90000},
	}},
	{"audio restarts at once", false, []rewriteStep{
		{ssrc: 1, seq: 5, ts: 960, forward: true},
		{after: 20 * time.Millisecond, ssrc: 3, seq: 40000, ts: 1, forward: true, lostSync: true, seqDelta: 1, tsDelta: 1800},
	}},
	{"shift makes room for an inserted packet", true, []rewriteStep{
		{ssrc: 1, seq: 7, key: true, forward: true},
		{do: shiftOne, ssrc: 1, seq: 8, forward: true, seqDelta: 2},
		{ssrc: 1, seq: 9, forward: true, seqDelta: 1},
	}},
	{"skip closes the gap of dropped packets", true, []rewriteStep{
		{ssrc: 1, seq: 7, key: true, forward: true},
		{do: skip, ssrc: 1, seq: 9, forward: true, seqDelta: 1}, // 8 dropped
		{do: func(r *Rewriter) { r.Skip(); r.Skip() }, ssrc: 1, seq: 12, forward: true, seqDelta: 1},
	}},
	{"skip before a mapping changes nothing", true, []rewriteStep{
		{do: skip, ssrc: 1, seq: 7},
		{do: skip, ssrc: 1, seq: 8, key: true, forward: true},
		{ssrc: 1, seq: 9, forward: true, seqDelta: 1},
	}},
	{"a switch on the same clock keeps the timestamps' spacing", true, []rewriteStep{
		{ssrc: 1, seq: 7, ts: 1000, key: true, forward: true},
		{ssrc: 1, seq: 8, ts: 4000, forward: true, seqDelta: 1, tsDelta: 3000},
		// Another SSRC on the same clock 500 ms of wall time later: the
		// picture 3000 ticks on is 3000 on, not 45000.
		{after: 500 * time.Millisecond, do: (*Rewriter).ResyncSameClock, ssrc: 2, seq: 900, ts: 7000, key: true,
			forward: true, seqDelta: 1, tsDelta: 3000},
		{ssrc: 2, seq: 901, ts: 10000, forward: true, seqDelta: 1, tsDelta: 3000},
	}},
	{"resync waits for a keyframe and continues", true, []rewriteStep{
		{ssrc: 1, seq: 7, ts: 1000, key: true, forward: true},
		{after: time.Second, do: resync, ssrc: 1, seq: 8, ts: 91000},
		{ssrc: 1, seq: 9, ts: 91000, key: true, forward: true, seqDelta: 1, tsDelta: 90000},
	}},
}

func TestRewriter(t *testing.T) {
	for _, c := range rewriteCases {
		t.Run(c.name, func(t *testing.T) {
			rw := &Rewriter{ClockRate: 90000, Gate: c.gate}
			now := time.Unix(1_700_000_000, 0)
			var prevSeq uint16
			var prevTS uint32
			sent := false
			for i, s := range c.steps {
				now = now.Add(s.after)
				if s.do != nil {
					s.do(rw)
				}
				p := &stream.Packet{Header: rtp.Header{SSRC: s.ssrc, SequenceNumber: s.seq, Timestamp: s.ts}, Keyframe: s.key, Arrival: now}
				seq, ts, ok, lost := rw.Rewrite(p, now)
				if ok != s.forward || lost != s.lostSync {
					t.Fatalf("step %d: forward %v lostSync %v, want %v %v", i, ok, lost, s.forward, s.lostSync)
				}
				if !ok {
					continue
				}
				if sent && s.seqDelta != 0 && int16(seq-prevSeq) != int16(s.seqDelta) {
					t.Fatalf("step %d: seq %d after %d, want delta %d", i, seq, prevSeq, s.seqDelta)
				}
				if sent && s.tsDelta != 0 && ts-prevTS != s.tsDelta {
					t.Fatalf("step %d: ts %d after %d, delta %d, want %d", i, ts, prevTS, ts-prevTS, s.tsDelta)
				}
				prevSeq, prevTS, sent = seq, ts, true
			}
		})
	}
}

// TestRewriterState checks Waiting and Started, which callers poll on their
// report tick to retry keyframe requests and to decide whether to report.
func TestRewriterState(t *testing.T) {
	key := &stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: 1}, Keyframe: true}
	for _, c := range []struct {
		name            string
		gate            bool
		do              func(*Rewriter)
		waiting, starts bool
	}{
		{"gated, nothing yet", true, func(*Rewriter) {}, true, false},
		{"gated, after a keyframe", true, func(r *Rewriter) { r.Rewrite(key, time.Now()) }, false, true},
		{"gated, resynced", true, func(r *Rewriter) { r.Rewrite(key, time.Now()); r.Resync() }, true, true},
		{"ungated never waits", false, func(r *Rewriter) { r.Resync() }, false, false},
	} {
		rw := &Rewriter{ClockRate: 90000, Gate: c.gate}
		c.do(rw)
		if rw.Waiting() != c.waiting || rw.Started() != c.starts {
			t.Errorf("%s: Waiting %v Started %v, want %v %v", c.name, rw.Waiting(), rw.Started(), c.waiting, c.starts)
		}
	}
}

// TestRewriterDoesNotAllocate guards the per-packet path.
func TestRewriterDoesNotAllocate(t *testing.T) {
	rw := &Rewriter{ClockRate: 90000, Gate: true}
	p := &stream.Packet{Header: rtp.Header{SSRC: 1}, Keyframe: true}
	now := time.Now()
	allocs := testing.AllocsPerRun(1000, func() {
		p.SequenceNumber++
		rw.Rewrite(p, now)
		rw.ReportTimes(nil, now)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per packet", allocs)
	}
}
