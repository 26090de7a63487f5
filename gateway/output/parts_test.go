package output

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/stream"
)

func pkt(ssrc uint32, seq uint16, ts uint32, key bool, at time.Time) *stream.Packet {
	p := &stream.Packet{Keyframe: key, Arrival: at}
	p.SSRC, p.SequenceNumber, p.Timestamp = ssrc, seq, ts
	return p
}

// TestRewriter drives the mapping through the cases RFC 3550 §A.1 tells
// apart: in order, reordered, a gap, a restart by jump, SSRC or clock.
func TestRewriter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	type step struct {
		p        *stream.Packet
		ok, lost bool
		dSeq     int // expected output seq minus the first output seq
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"gated until a keyframe", []step{
			{pkt(1, 10, 0, false, t0), false, false, 0},
			{pkt(1, 11, 0, true, t0), true, false, 0},
			{pkt(1, 12, 3000, false, t0), true, false, 1},
		}},
		{"reordered and lost packets keep their distance", []step{
			{pkt(1, 10, 0, true, t0), true, false, 0},
			{pkt(1, 13, 0, false, t0), true, false, 3},
			{pkt(1, 12, 0, false, t0), true, false, 2},
		}},
		{"a new SSRC continues after a keyframe", []step{
			{pkt(1, 10, 0, true, t0), true, false, 0},
			{pkt(2, 500, 0, false, t0), false, true, 0},
			{pkt(2, 501, 0, true, t0), true, false, 1},
		}},
		{"a sequence jump is a restart", []step{
			{pkt(1, 10, 0, true, t0), true, false, 0},
			{pkt(1, 9000, 0, true, t0), true, true, 1},
		}},
		{"a timestamp far from the clock is a restart", []step{
			{pkt(1, 10, 0, true, t0), true, false, 0},
			{pkt(1, 11, 90000*60, true, t0.Add(time.Second)), true, true, 1},
		}},
		{"a sequence wrap is not a restart", []step{
			{pkt(1, 65535, 0, true, t0), true, false, 0},
			{pkt(1, 0, 3000, false, t0), true, false, 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rewriter{clockRate: 90000, gate: true}
			var first uint16
			started := false
			for i, s := range tc.steps {
				seq, _, ok, lost := r.rewrite(s.p, t0)
				if ok != s.ok || lost != s.lost {
					t.Fatalf("step %d: ok %v lost %v, want %v %v", i, ok, lost, s.ok, s.lost)
				}
				if !ok {
					continue
				}
				if !started {
					first, started = seq, true
				}
				if d := int(seq - first); d != s.dSeq {
					t.Fatalf("step %d: seq %d is first+%d, want +%d", i, seq, d, s.dSeq)
				}
			}
		})
	}
}

func TestHistory(t *testing.T) {
	h := newHistory(historySize(500))
	if len(h.slots) != 512 {
		t.Fatalf("size %d, want 512", len(h.slots))
	}
	for _, seq := range []uint16{65535, 0, 100} {
		h.store(seq, append(h.buffer(seq), byte(seq)))
	}
	if b := h.get(0); len(b) != 1 || b[0] != 0 {
		t.Errorf("get(0) = %x", b)
	}
	h.store(512, append(h.buffer(512), 9)) // overwrites 0's slot
	if h.get(0) != nil || h.get(512)[0] != 9 || h.get(65535)[0] != 0xff || h.get(100)[0] != 100 || h.get(1) != nil || h.get(511) != nil {
		t.Error("history slots mixed up")
	}
}

func TestTokenBucket(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := newTokenBucket(10)
	for _, tc := range []struct {
		at         time.Duration
		ask, grant int
	}{
		{0, 4, 4}, {0, 10, 6}, {0, 1, 0},
		{500 * time.Millisecond, 10, 5},
		{10 * time.Second, 50, 10}, // the burst is capped at one second
	} {
		if got := b.take(tc.ask, t0.Add(tc.at)); got != tc.grant {
			t.Fatalf("at %v take(%d) = %d, want %d", tc.at, tc.ask, got, tc.grant)
		}
	}
}

// TestREMBExpires checks, in a synctest bubble, that a REMB holds for the
// timeout and no longer.
func TestREMBExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := rembState{timeout: DefaultREMBTimeout}
		if _, ok := r.get(time.Now()); ok {
			t.Fatal("a REMB before any arrived")
		}
		r.set(1.5e6, time.Now())
		time.Sleep(DefaultREMBTimeout)
		if bps, ok := r.get(time.Now()); !ok || bps != 1_500_000 {
			t.Fatalf("at the timeout: %d %v", bps, ok)
		}
		time.Sleep(time.Millisecond)
		if _, ok := r.get(time.Now()); ok {
			t.Fatal("the REMB outlived its timeout")
		}
		if got := r.set(1e30, time.Now()); got <= 0 {
			t.Fatalf("a huge REMB became %d", got)
		}
	})
}

func TestNACKSeqs(t *testing.T) {
	n := &rtcp.TransportLayerNack{Nacks: []rtcp.NackPair{{PacketID: 65535, LostPackets: 0b101}, {PacketID: 7}}}
	got := nackSeqs(n)
	want := []uint16{65535, 0, 2, 7}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
}

// rtcpSeeds are receiver RTCP packets for the fuzz corpus.
func rtcpSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, pkts := range [][]rtcp.Packet{
		{&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 2}}}},
		{&rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: 1, Bitrate: 1e6, SSRCs: []uint32{2}}},
		{&rtcp.PictureLossIndication{MediaSSRC: 2}, &rtcp.FullIntraRequest{FIR: []rtcp.FIREntry{{SSRC: 2}}}},
		{&rtcp.TransportLayerNack{MediaSSRC: 2, Nacks: []rtcp.NackPair{{PacketID: 1, LostPackets: 0xffff}}}},
		{&rtcp.Goodbye{Sources: []uint32{1}}},
	} {
		b, err := rtcp.Marshal(pkts)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return append(out, []byte{0x80, 0xc8}, []byte{0x80, 96, 0, 1})
}

// FuzzHandleDatagram feeds arbitrary datagrams to the RTCP path of a plain
// and a keyed Output: nothing may panic.
func FuzzHandleDatagram(f *testing.F) {
	for _, b := range rtcpSeeds(f) {
		f.Add(b, false)
		f.Add(b, true)
	}
	st := newTestStream("fuzz")
	outs := map[bool]*Output{}
	for _, keyed := range []bool{false, true} {
		cfg := Config{Stream: st, Remote: netipLoopback(9), Listen: "127.0.0.1:0"}
		if keyed {
			cfg.SRTP = testKey
		}
		o, err := Start(cfg)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { _ = o.Close() })
		outs[keyed] = o
	}
	f.Fuzz(func(t *testing.T, b []byte, keyed bool) {
		outs[keyed].handleDatagram(b, time.Now())
	})
}
