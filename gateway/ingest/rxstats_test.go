package ingest

import (
	"slices"
	"testing"
	"time"
)

func TestSequenceValidation(t *testing.T) {
	const (
		V = seqValid
		H = seqHold
		D = seqDuplicate
	)
	for _, c := range []struct {
		name string
		seqs []uint16
		want []seqVerdict
	}{
		{"probation", []uint16{100, 101, 102}, []seqVerdict{H, V, V}},
		{"probation restarted", []uint16{100, 105, 106, 107}, []seqVerdict{H, H, V, V}},
		{"wrap", []uint16{65534, 65535, 0, 1}, []seqVerdict{H, V, V, V}},
		{"duplicates", []uint16{10, 11, 12, 12, 11, 10}, []seqVerdict{H, V, V, D, D, D}},
		{"reordering", []uint16{10, 11, 13, 12, 14}, []seqVerdict{H, V, V, V, V}},
		{"reordered across the wrap", []uint16{65533, 65534, 0, 65535, 1}, []seqVerdict{H, V, V, V, V}},
		{"duplicate across the wrap", []uint16{65534, 65535, 0, 65535}, []seqVerdict{H, V, V, D}},
		{"jump confirmed", []uint16{10, 11, 30000, 30001, 30002}, []seqVerdict{H, V, H, V, V}},
		{"jump not confirmed", []uint16{10, 11, 30000, 12}, []seqVerdict{H, V, H, V}},
		{"older than misorder", []uint16{1000, 1001, 1002, 800}, []seqVerdict{H, V, V, H}},
		{"loss within dropout", []uint16{1, 2, 2000, 2001}, []seqVerdict{H, V, V, V}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r rxStats
			r.start(1, c.seqs[0], 90000, time.Time{})
			got := make([]seqVerdict, 0, len(c.seqs))
			for _, s := range c.seqs {
				got = append(got, r.update(s))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("verdicts %v, want %v", got, c.want)
			}
		})
	}
}

func TestReportLoss(t *testing.T) {
	var r rxStats
	r.start(7, 1, 90000, time.Time{})
	for _, s := range []uint16{1, 2, 4, 5, 7} {
		r.update(s)
	}
	// Counting starts at 2 (the first packet was on probation): expected
	// 2..7 = 6, received 4.
	now := time.Unix(100, 0)
	r.lastSR, r.lastSRAt = 0xabcd, now.Add(-time.Second/2)
	rep := r.report(now)
	if rep.SSRC != 7 || rep.TotalLost != 2 || rep.LastSequenceNumber != 7 || rep.FractionLost != 2*256/6 ||
		rep.LastSenderReport != 0xabcd || rep.Delay != 32768 {
		t.Fatalf("report %+v", rep)
	}
	if got := r.newlyLost(int64(rep.TotalLost)); got != 2 {
		t.Errorf("newlyLost = %d, want 2", got)
	}
	// A new interval with nothing lost.
	r.update(8)
	rep = r.report(now)
	if rep.FractionLost != 0 || rep.TotalLost != 2 {
		t.Errorf("second report %+v", rep)
	}
	if got := r.newlyLost(int64(rep.TotalLost)); got != 0 {
		t.Errorf("newlyLost = %d, want 0", got)
	}
}

func TestReportExtendedSequence(t *testing.T) {
	var r rxStats
	r.start(7, 65534, 90000, time.Time{})
	for _, s := range []uint16{65534, 65535, 0, 1} {
		r.update(s)
	}
	if rep := r.report(time.Time{}); rep.LastSequenceNumber != 1<<16+1 || rep.TotalLost != 0 {
		t.Fatalf("report %+v", rep)
	}
}

func TestJitter(t *testing.T) {
	var steady, shaky rxStats
	steady.start(1, 0, 90000, time.Time{})
	shaky.start(2, 0, 90000, time.Time{})
	for i := range uint16(50) {
		ts := uint32(i) * 3000
		steady.update(i)
		steady.updateJitter(ts+500, ts)
		shaky.update(i)
		shaky.updateJitter(ts+500+uint32(i%2)*900, ts)
	}
	if steady.jitterSeconds() != 0 {
		t.Errorf("steady jitter %v", steady.jitterSeconds())
	}
	if j := shaky.jitterSeconds(); j < 0.005 || j > 0.01 {
		t.Errorf("jitter %v s for ±900 ticks at 90 kHz, want about 0.01", j)
	}
}

func TestSeqWindow(t *testing.T) {
	var w seqWindow
	if w.has(5) {
		t.Fatal("empty window has 5")
	}
	w.add(5)
	w.add(7)
	if !w.has(5) || w.has(6) || !w.has(7) || w.has(8) {
		t.Fatal("window after 5, 7")
	}
	w.add(7 + windowSize - 1)
	if !w.has(7) || w.has(8) {
		t.Fatal("the window's bottom was lost")
	}
	w.add(7 + windowSize)
	if w.has(7) || !w.has(7+windowSize) || !w.has(7+windowSize-1) || w.has(8) {
		t.Fatal("window did not slide")
	}
	w.add(1000)
	if w.has(7+windowSize) || !w.has(1000) {
		t.Fatal("window did not clear on a long jump")
	}
	w.add(1000 - windowSize) // too old: ignored
	if w.has(1000 - windowSize) {
		t.Fatal("recorded below the window")
	}
	w.add(-1)
	w.reset()
	w.add(-1)
	if !w.has(-1) || w.has(127) {
		t.Fatal("negative extended numbers")
	}
}

func TestSSRCTableEviction(t *testing.T) {
	var tab ssrcTable
	video := &trackState{ssrc: 1, hasSSRC: true}
	tracks := []*trackState{video}
	base := time.Unix(0, 0)
	for i := range uint32(maxSSRCs) {
		tab.slot(tracks).start(i+1, 0, 90000, base.Add(time.Duration(i)*time.Second))
	}
	// SSRC 1 is the least recently seen but feeds the video track.
	s := tab.slot(tracks)
	if s.ssrc != 2 {
		t.Fatalf("evicted SSRC %d, want 2", s.ssrc)
	}
	s.start(99, 0, 90000, base.Add(time.Hour))
	if tab.find(1) == nil || tab.find(2) != nil || tab.find(99) == nil {
		t.Fatal("table after eviction")
	}
	tab.reset()
	if tab.find(1) != nil {
		t.Fatal("reset kept SSRC 1")
	}
}
