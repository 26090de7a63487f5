package output

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtcp"
)

// TestHistorySize: the configured history rounds up to a power of two, so
// that outbound.History maps a sequence number to one slot (its slots are
// tested in gateway/outbound).
func TestHistorySize(t *testing.T) {
	if size := historySize(500); size != 512 {
		t.Fatalf("size %d, want 512", size)
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
