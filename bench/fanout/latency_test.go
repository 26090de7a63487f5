package main

import (
	"bytes"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// rtpCases are RTP packets and the payload rtpPayload must find.
var rtpCases = []struct {
	name    string
	pkt     []byte
	payload []byte
	ok      bool
}{
	{"plain", append([]byte{0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2}, 'a', 'b'), []byte("ab"), true},
	{"two CSRCs", append([]byte{0x82, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 1, 1, 2, 2, 2, 2}, 'c'), []byte("c"), true},
	{"extension", append([]byte{0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0, 1, 0x10, 7, 0, 0}, 'd', 'e'), []byte("de"), true},
	{"padding", append([]byte{0xa0, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2}, 'f', 0, 0, 3), []byte("f"), true},
	{"short", []byte{0x80, 96, 0}, nil, false},
	{"version 1", append([]byte{0x40, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2}, 'a'), nil, false},
	{"extension past the end", []byte{0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0, 9}, nil, false},
	{"padding past the header", []byte{0xa0, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 40}, nil, false},
}

func TestRTPPayload(t *testing.T) {
	for _, tc := range rtpCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := rtpPayload(tc.pkt)
			if ok != tc.ok || !bytes.Equal(got, tc.payload) {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tc.payload, tc.ok)
			}
		})
	}
}

// TestRTPPayloadMatchesPion checks the payload against pion's parser for a
// packet whose header a server rewrote (other SSRC, sequence number and
// an extension added): the hash of the payload is the same as the tee's.
func TestRTPPayloadMatchesPion(t *testing.T) {
	payload := bytes.Repeat([]byte{0x7c, 0x85, 0x01}, 400)
	in := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 7, Timestamp: 9000, SSRC: 1}, Payload: payload}
	out := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 102, SequenceNumber: 55, Timestamp: 1234, SSRC: 99, CSRC: []uint32{5}}, Payload: payload}
	if err := out.SetExtension(3, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	a, _ := in.Marshal()
	b, _ := out.Marshal()
	pa, okA := rtpPayload(a)
	pb, okB := rtpPayload(b)
	if !okA || !okB || payloadHash(pa) != payloadHash(pb) || !bytes.Equal(pb, payload) {
		t.Fatalf("payloads differ: %v %v", okA, okB)
	}
}

func FuzzRTPPayload(f *testing.F) {
	for _, tc := range rtpCases {
		f.Add(tc.pkt)
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		p, ok := rtpPayload(pkt)
		if !ok && p != nil {
			t.Fatal("payload with a failure")
		}
		if ok && len(p) > len(pkt)-12 {
			t.Fatalf("payload of %d bytes in a %d-byte packet", len(p), len(pkt))
		}
	})
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	// 1 µs … 10 ms, one each: the q-quantile is q × 10 ms.
	for v := time.Microsecond; v <= 10*time.Millisecond; v += time.Microsecond {
		h.add(v)
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		want := q * float64(10*time.Millisecond)
		got := float64(h.quantile(q))
		if math.Abs(got-want)/want > 1.0/64+0.001 {
			t.Errorf("p%v = %v, want %v within 1/64", q*100, time.Duration(got), time.Duration(want))
		}
	}
	h.add(-time.Second) // counts as 0
	if got := h.total(); got != 10001 {
		t.Errorf("total %d, want 10001", got)
	}
	h.reset()
	if h.total() != 0 || h.quantile(0.99) != 0 {
		t.Error("reset left counts")
	}
}

func TestHistIndexIsMonotone(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 1000, 1 << 20, 1<<20 + 1, 1 << 40, math.MaxUint64} {
		i := histIndex(v)
		if i < prev || i >= histBuckets {
			t.Fatalf("histIndex(%d) = %d after %d", v, i, prev)
		}
		if mid := histMid(i); v > 0 && v < 1<<62 && math.Abs(mid-float64(v))/float64(v) > 1.0/32 {
			t.Errorf("histMid(histIndex(%d)) = %v", v, mid)
		}
		prev = i
	}
}

// TestLatencyProbe stamps payloads as the tee does, records their arrival
// as a viewer's socket does, and reads them back as the viewer does, from
// many goroutines, with known delays: sent 1 ms ago, arrived 0.6 ms ago.
func TestLatencyProbe(t *testing.T) {
	var p latencyProbe
	var arrivals arrivalTable
	// 200 payloads whose hashes take distinct slots (two in one slot: the
	// older is overwritten, which the probe counts as missed).
	var pkts [][]byte
	slots := map[uint64]bool{}
	for i := 0; len(pkts) < 200; i++ {
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: uint16(i), SSRC: 7},
			Payload: bytes.Repeat([]byte{byte(i), byte(i >> 8), 1}, 100)}
		raw, _ := pkt.Marshal()
		if slot := payloadHash(pkt.Payload) & (stampSlots - 1); !slots[slot] {
			slots[slot] = true
			pkts = append(pkts, raw)
		}
	}
	p.observe(pkts[0], &arrivals) // off: not counted
	p.start()
	now := monoNow()
	for i, pkt := range pkts {
		payload, _ := rtpPayload(pkt)
		p.stamps.put(payloadHash(payload), now-int64(time.Millisecond))
		if ssrc, seq, _ := rtpIdentity(pkt); i > 0 { // the first one's arrival is missing
			arrivals.put(ssrc, seq, now-int64(600*time.Microsecond), now-int64(500*time.Microsecond))
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, pkt := range pkts {
				p.observe(pkt, &arrivals)
			}
		})
	}
	wg.Wait()
	p.observe([]byte{0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 'x'}, &arrivals) // never stamped
	p.observe(pkts[1], nil)                                                    // a viewer without a table
	got := p.stop()
	if got.samples != 8*200+1 || got.missed != 1 || got.arrived != 8*199 || got.noArrival != 8+1 {
		t.Errorf("%+v; want 1601 samples, 1 missed, 1592 at the socket, 9 without an arrival", got)
	}
	near := func(name string, d, want time.Duration) {
		if d < want-want/50 || d > want+want/50 {
			t.Errorf("%s %v, want %v", name, d, want)
		}
	}
	near("socket p50", got.socket.p50, 400*time.Microsecond)
	near("socket p99", got.socket.p99, 400*time.Microsecond)
	near("ICE read p50", got.iceRead.p50, 500*time.Microsecond)
	if got.read.p50 < 980*time.Microsecond || got.read.p99 > time.Second {
		t.Errorf("read p50 %v, p99 %v: want about 1 ms", got.read.p50, got.read.p99)
	}
	p.observe(pkts[0], &arrivals) // stopped: not counted
	if p.read.total() != got.samples {
		t.Error("a stopped probe recorded")
	}
	var none *latencyProbe
	if none.observer(&arrivals) != nil { // a server without a probe (the soak's) observes nothing
		t.Error("a nil probe has an observer")
	}
}
