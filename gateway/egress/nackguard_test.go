package egress

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

func marshalRTCP(t *testing.T, pkts ...rtcp.Packet) []byte {
	t.Helper()
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNACKGuard spends a viewer's retransmission budget.
func TestNACKGuard(t *testing.T) {
	sm := NewMetrics(nil).forStream("cam")
	f := &nackGuardFactory{metrics: func(uint32) *streamMetrics { return sm }, perSecond: 20}
	i, err := f.NewInterceptor("")
	if err != nil {
		t.Fatal(err)
	}
	g := i.(*nackGuard)
	rr := &rtcp.ReceiverReport{SSRC: 1}
	nack := func(lost uint16) *rtcp.TransportLayerNack { // 1 + popcount(lost) packets
		return &rtcp.TransportLayerNack{MediaSSRC: 2, Nacks: []rtcp.NackPair{{PacketID: 100, LostPackets: rtcp.PacketBitmap(lost)}}}
	}
	cases := []struct {
		name  string
		pkts  []rtcp.Packet
		keep  bool
		nacks int // NACK packets left
	}{
		{"within budget", []rtcp.Packet{rr, nack(0xff)}, true, 1}, // 9 of 20
		{"rest of budget", []rtcp.Packet{nack(0x3ff)}, true, 1},   // 11 of 11
		{"over budget with a report", []rtcp.Packet{rr, nack(0)}, true, 0},
		{"over budget alone", []rtcp.Packet{nack(0)}, false, 0},
		{"no nack", []rtcp.Packet{rr}, true, 0},
	}
	for _, c := range cases {
		raw := marshalRTCP(t, c.pkts...)
		buf := make([]byte, 1500)
		n := copy(buf, raw)
		n, keep := g.limit(buf, n)
		if keep != c.keep {
			t.Fatalf("%s: keep %v", c.name, keep)
		}
		if !keep {
			continue
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		nacks := 0
		for _, p := range pkts {
			if _, ok := p.(*rtcp.TransportLayerNack); ok {
				nacks++
			}
		}
		if nacks != c.nacks {
			t.Fatalf("%s: %d NACKs left", c.name, nacks)
		}
	}
	g.last = g.last.Add(-time.Second) // a second later the budget is back
	if _, keep := g.limit(marshalRTCP(t, nack(0)), len(marshalRTCP(t, nack(0)))); !keep {
		t.Fatal("budget not refilled")
	}
}

// TestNACKGuardFollowsREMB: a viewer's REMB shrinks its retransmission
// budget to a share of the rate its link carries, never below the floor,
// never above the fixed budget.
func TestNACKGuardFollowsREMB(t *testing.T) {
	f := &nackGuardFactory{metrics: func(uint32) *streamMetrics { return nil }, perSecond: nackBudget}
	cases := []struct {
		remb float32
		want float64
	}{
		{960_000, 25},             // 0.25 × 960 kbit/s in 1200-byte packets
		{10_000, minNACKBudget},   // floor
		{100_000_000, nackBudget}, // ceiling
	}
	for _, c := range cases {
		i, _ := f.NewInterceptor("")
		g := i.(*nackGuard)
		raw := marshalRTCP(t, &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: c.remb, SSRCs: []uint32{2}})
		buf := make([]byte, 1500)
		g.limit(buf, copy(buf, raw))
		if g.rate != c.want || g.tokens > c.want {
			t.Errorf("REMB %v: budget %v/s with %v tokens, want %v", c.remb, g.rate, g.tokens, c.want)
		}
	}
}

// TestNACKRetransmit asks for a packet again: pion's responder resends it
// and the guard counts the retransmission.
func TestNACKRetransmit(t *testing.T) {
	m, reg := newTestManager(t, nil)
	s, k := newTestStream(&vp8Codec, nil, nil)
	cl := newClient(t, webrtc.RTPCodecTypeVideo)
	connect(t, m, s, k, cl)
	src := &source{track: s.Video, ssrc: 3, step: 3000}
	for i := uint32(0); i < 3; i++ {
		mediaCases[1].write(src, i*10) // all keyframes
	}
	tr := cl.nextTrack(t)
	packets := readPackets(tr)
	first := nextPacket(t, packets)
	nextPacket(t, packets)
	nextPacket(t, packets)
	if err := cl.pc.WriteRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{
		SenderSSRC: 1, MediaSSRC: uint32(tr.SSRC()), Nacks: []rtcp.NackPair{{PacketID: first.SequenceNumber}},
	}}); err != nil {
		t.Fatal(err)
	}
	again := nextPacket(t, packets)
	if again.SequenceNumber != first.SequenceNumber || string(again.Payload) != string(first.Payload) {
		t.Fatalf("got seq %d after the NACK, want %d", again.SequenceNumber, first.SequenceNumber)
	}
	waitUntil(t, func() bool {
		return metricValue(t, reg, "mediagate_egress_nack_retransmits_total", "cam") == 1
	}, "the retransmission to be counted")
	if got := metricValue(t, reg, "mediagate_egress_packets_sent_total", "cam"); got != 3 {
		t.Fatalf("packets sent %v", got)
	}
	if got := metricValue(t, reg, "mediagate_egress_viewers", "cam"); got != 1 {
		t.Fatalf("viewers gauge %v", got)
	}
}
