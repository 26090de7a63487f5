package egress

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// step is one packet fed to a rewriter, after advancing its clock by after.
type step struct {
	after    time.Duration
	ssrc     uint32
	seq      uint16
	ts       uint32
	key      bool
	forward  bool   // expected: forwarded
	lostSync bool   // expected: a restart detected
	seqDelta int    // expected out seq minus the previous forwarded one's
	tsDelta  uint32 // expected out ts minus the previous forwarded one's (0: skip)
}

var rewriteCases = []struct {
	name  string
	gate  bool
	steps []step
}{
	{"gated join", true, []step{
		{ssrc: 1, seq: 10, ts: 1000},
		{ssrc: 1, seq: 11, ts: 4000, key: true, forward: true},
		{ssrc: 1, seq: 12, ts: 7000, forward: true, seqDelta: 1, tsDelta: 3000},
		{ssrc: 1, seq: 13, ts: 7000, forward: true, seqDelta: 1},
	}},
	{"wraparound and reordering", true, []step{
		{ssrc: 1, seq: 65534, ts: 4294967000, key: true, forward: true},
		{ssrc: 1, seq: 0, ts: 5704, forward: true, seqDelta: 2, tsDelta: 6000},
		{ssrc: 1, seq: 65535, ts: 2704, forward: true, seqDelta: -1},
		{ssrc: 1, seq: 1, ts: 8704, forward: true, seqDelta: 2},
	}},
	{"ssrc change", true, []step{
		{ssrc: 1, seq: 100, ts: 1000, key: true, forward: true},
		{after: 2 * time.Second, ssrc: 2, seq: 9, ts: 77, lostSync: true},
		{ssrc: 2, seq: 10, ts: 77, key: true, forward: true, seqDelta: 1, tsDelta: 180000},
		{ssrc: 2, seq: 11, ts: 3077, forward: true, seqDelta: 1, tsDelta: 3000},
	}},
	{"sequence jump", true, []step{
		{ssrc: 1, seq: 100, ts: 1000, key: true, forward: true},
		{ssrc: 1, seq: 9000, ts: 4000, lostSync: true},
		{ssrc: 1, seq: 9001, ts: 7000, key: true, forward: true, seqDelta: 1},
	}},
	{"timestamp jump", true, []step{
		{ssrc: 1, seq: 100, ts: 1000, key: true, forward: true},
		{after: 40 * time.Millisecond, ssrc: 1, seq: 101, ts: 1000 + 3600*90000, lostSync: true},
		{after: 40 * time.Millisecond, ssrc: 1, seq: 102, ts: 1000 + 3600*90000, key: true, forward: true, seqDelta: 1, tsDelta: 7200},
	}},
	{"stall keeps the mapping", true, []step{
		{ssrc: 1, seq: 100, ts: 1000, key: true, forward: true},
		{after: time.Minute, ssrc: 1, seq: 101, ts: 1000 + 60*90000, forward: true, seqDelta: 1, tsDelta: 60 * 90000},
	}},
	{"audio restarts at once", false, []step{
		{ssrc: 1, seq: 5, ts: 960, forward: true},
		{after: 20 * time.Millisecond, ssrc: 3, seq: 40000, ts: 1, forward: true, lostSync: true, seqDelta: 1, tsDelta: 1800},
	}},
}

func TestRewriter(t *testing.T) {
	for _, c := range rewriteCases {
		t.Run(c.name, func(t *testing.T) {
			rw := &rewriter{clockRate: 90000, gate: c.gate}
			now := time.Unix(1_700_000_000, 0)
			var prevSeq uint16
			var prevTS uint32
			forwarded := false
			for i, s := range c.steps {
				now = now.Add(s.after)
				p := &stream.Packet{Header: rtp.Header{SSRC: s.ssrc, SequenceNumber: s.seq, Timestamp: s.ts}, Keyframe: s.key, Arrival: now}
				seq, ts, ok, lost := rw.rewrite(p, now)
				if ok != s.forward || lost != s.lostSync {
					t.Fatalf("step %d: forward %v lostSync %v", i, ok, lost)
				}
				if !ok {
					continue
				}
				if forwarded && s.seqDelta != 0 && int16(seq-prevSeq) != int16(s.seqDelta) {
					t.Fatalf("step %d: seq %d after %d, want delta %d", i, seq, prevSeq, s.seqDelta)
				}
				if forwarded && s.tsDelta != 0 && ts-prevTS != s.tsDelta {
					t.Fatalf("step %d: ts %d after %d, delta %d, want %d", i, ts, prevTS, ts-prevTS, s.tsDelta)
				}
				prevSeq, prevTS, forwarded = seq, ts, true
			}
		})
	}
}

func TestRewriterShift(t *testing.T) {
	rw := &rewriter{clockRate: 90000, gate: true}
	now := time.Now()
	seq1, _, _, _ := rw.rewrite(&stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: 7}, Keyframe: true}, now)
	rw.shift(1)
	seq2, _, _, _ := rw.rewrite(&stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: 8}}, now)
	if seq2 != seq1+2 {
		t.Fatalf("after a shift seq %d follows %d", seq2, seq1)
	}
}

func TestReportTimes(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	rw := &rewriter{clockRate: 48000, synced: true, started: true, srcSSRC: 5, tsOffset: 1000, outTS: 7000, sentAt: now.Add(-time.Second)}
	clock := &stream.SenderClock{SSRC: 5, NTPTime: 100 << 32, RTPTime: 500, Received: now.Add(-500 * time.Millisecond)}

	ntp, ts := reportTimes(rw, clock, now)
	if ntp != 100<<32+1<<31 || ts != 500+1000+24000 {
		t.Fatalf("with the source's clock: ntp %x ts %d", ntp, ts)
	}
	clock.SSRC = 6 // a clock of another source does not apply
	ntp, ts = reportTimes(rw, clock, now)
	if ntp != ntpTime(now) || ts != 7000+48000 {
		t.Fatalf("wall clock: ntp %x ts %d", ntp, ts)
	}
	if got := ntpTime(time.Unix(0, 0)); got != ntpEpochOffset<<32 {
		t.Fatalf("unix epoch as NTP: %x", got)
	}
}
