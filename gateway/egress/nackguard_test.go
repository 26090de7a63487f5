package egress

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"mediagate.dev/mediagate/gateway/stream"
)

// nackFixture is a forwarder as far as the RTCP goroutine sees it: the
// track bound to SSRC 2, the viewer's budget and the backlog.
func nackFixture(perSecond float64) (*forwarder, *streamMetrics) {
	sm := NewMetrics(nil).forStream("cam")
	v := &Viewer{metrics: sm, nackGuard: newNACKGuard(perSecond)}
	track := &outTrack{}
	track.bound.Store(&binding{ssrc: 2})
	return &forwarder{v: v, track: track, nacks: make(chan nackRequest, nackBacklog)}, sm
}

func nackOf(ssrc uint32, pairs ...rtcp.NackPair) *rtcp.TransportLayerNack {
	return &rtcp.TransportLayerNack{SenderSSRC: 1, MediaSSRC: ssrc, Nacks: pairs}
}

// TestNACKGuard spends a viewer's retransmission budget: a NACK within it
// reaches the forwarder, one beyond it is ignored whole and counted, a
// NACK for another track costs nothing, and a second later the budget is
// back.
func TestNACKGuard(t *testing.T) {
	f, sm := nackFixture(20)
	now := time.Unix(1_700_000_000, 0)
	pair := func(lost uint16) rtcp.NackPair { // 1 + popcount(lost) packets
		return rtcp.NackPair{PacketID: 100, LostPackets: rtcp.PacketBitmap(lost)}
	}
	cases := []struct {
		name    string
		nack    *rtcp.TransportLayerNack
		queued  int // pairs handed to the forwarder
		limited float64
	}{
		{"within budget", nackOf(2, pair(0xff)), 1, 0},              // 9 of 20
		{"another track's", nackOf(3, pair(0xffff), pair(0)), 0, 0}, // not ours: free
		{"rest of budget", nackOf(2, pair(0x3ff)), 1, 0},            // 11 of 11
		{"over budget", nackOf(2, pair(0)), 0, 1},
	}
	for _, c := range cases {
		f.nack(c.nack, now)
		if got := len(f.nacks); got != c.queued {
			t.Fatalf("%s: %d pairs queued, want %d", c.name, got, c.queued)
		}
		for len(f.nacks) > 0 {
			<-f.nacks
		}
		if got := testutil.ToFloat64(sm.nackLimited); got != c.limited {
			t.Fatalf("%s: %v NACKs limited, want %v", c.name, got, c.limited)
		}
	}
	f.nack(nackOf(2, pair(0)), now.Add(time.Second))
	if len(f.nacks) != 1 {
		t.Fatal("budget not refilled")
	}
}

// TestNACKBacklog: a NACK whose pairs do not fit the forwarder's backlog
// keeps those that fit and is counted as limited once.
func TestNACKBacklog(t *testing.T) {
	f, sm := nackFixture(nackBudget)
	pairs := make([]rtcp.NackPair, nackBacklog+5)
	for i := range pairs {
		pairs[i].PacketID = uint16(17 * i)
	}
	f.nack(nackOf(2, pairs...), time.Now())
	if len(f.nacks) != nackBacklog || testutil.ToFloat64(sm.nackLimited) != 1 {
		t.Fatalf("%d pairs queued, %v limited", len(f.nacks), testutil.ToFloat64(sm.nackLimited))
	}
}

// TestNACKGuardFollowsREMB: a viewer's REMB shrinks its retransmission
// budget to a share of the rate its link carries, never below the floor,
// never above the fixed budget.
func TestNACKGuardFollowsREMB(t *testing.T) {
	cases := []struct {
		remb float32
		want float64
	}{
		{960_000, 25},             // 0.25 × 960 kbit/s in 1200-byte packets
		{10_000, minNACKBudget},   // floor
		{100_000_000, nackBudget}, // ceiling
	}
	for _, c := range cases {
		v := &Viewer{nackGuard: newNACKGuard(nackBudget)}
		fb := v.rtcpFeedback(func() {}, false, nil)
		fb.Handle(&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: c.remb, SSRCs: []uint32{2}}, time.Now())
		if g := v.nackGuard; g.rate != c.want || g.tokens > c.want {
			t.Errorf("REMB %v: budget %v/s with %v tokens, want %v", c.remb, g.rate, g.tokens, c.want)
		}
	}
}

// h264SpropCodec is an H.264 source with out-of-band parameter sets: its
// viewers get a STAP-A of them before the first IDR.
var h264SpropCodec = stream.Codec{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, PayloadType: 96,
	Fmtp: "packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets=Z0LgH5WoFAFuQA==,aM48gA=="}

// TestNACKRetransmit asks a real pion viewer's packets again: each comes
// back byte for byte — header and payload, the STAP-A egress inserted
// included — from the track's reference history, and is counted as a
// retransmission, not as a packet sent; a packet the history no longer
// holds is not sent; a NACK beyond the viewer's budget is limited.
func TestNACKRetransmit(t *testing.T) {
	for _, c := range []struct {
		name  string
		codec stream.Codec
		write func(src *source, i uint32)
		sent  int // packets the viewer gets for the three written
	}{
		{"vp8", vp8Codec, func(src *source, i uint32) { mediaCases[1].write(src, i*10) }, 3}, // all keyframes
		{"h264 with sets", h264SpropCodec, func(src *source, i uint32) { // STAP-A, IDR, two slices
			if i == 0 {
				src.write(0x65, i, true)
			} else {
				src.write(0x41, i, false)
			}
		}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, reg := newTestManager(t, nil)
			s, k := newTestStream(&c.codec, nil, nil)
			cl := newClient(t, webrtc.RTPCodecTypeVideo)
			connect(t, m, s, k, cl)
			src := &source{track: s.Video, ssrc: 3, seq: 65534, step: 3000}
			for i := range uint32(3) {
				c.write(src, i)
			}
			tr := cl.nextTrack(t)
			packets := readPackets(tr)
			var got []*rtp.Packet
			for range c.sent {
				got = append(got, nextPacket(t, packets))
			}
			if c.codec.Fmtp == h264SpropCodec.Fmtp && got[0].Payload[0]&0x1f != 24 {
				t.Fatalf("first packet is NAL type %d, want a STAP-A", got[0].Payload[0]&0x1f)
			}
			ask := func(pairs ...rtcp.NackPair) {
				t.Helper()
				if err := cl.pc.WriteRTCP([]rtcp.Packet{nackOf(uint32(tr.SSRC()), pairs...)}); err != nil {
					t.Fatal(err)
				}
			}
			first := got[0].SequenceNumber
			// The first and the third, and one never sent: the bitmask
			// names first+2 and first+c.sent.
			ask(rtcp.NackPair{PacketID: first, LostPackets: 0b10 | 1<<(c.sent-1)})
			for _, want := range []*rtp.Packet{got[0], got[2]} {
				again := nextPacket(t, packets)
				if !bytes.Equal(marshal(t, again), marshal(t, want)) {
					t.Fatalf("got %v after the NACK, want %v", again, want)
				}
			}
			waitUntil(t, func() bool {
				return metricValue(t, reg, "mediagate_egress_nack_retransmits_total", "cam") == 2
			}, "the retransmissions to be counted")
			if got := metricValue(t, reg, "mediagate_egress_packets_sent_total", "cam"); got != float64(c.sent) {
				t.Fatalf("packets sent %v, want %d", got, c.sent)
			}
			// 30 pairs of 17 packets: 510, over the budget of 400 a second.
			storm := make([]rtcp.NackPair, 30)
			for i := range storm {
				storm[i] = rtcp.NackPair{PacketID: first, LostPackets: 0xffff}
			}
			ask(storm...)
			waitUntil(t, func() bool {
				return metricValue(t, reg, "mediagate_egress_nack_limited_total", "cam") == 1
			}, "the NACK storm to be limited")
			ask(rtcp.NackPair{PacketID: got[1].SequenceNumber})
			again := nextPacket(t, packets)
			if !bytes.Equal(marshal(t, again), marshal(t, got[1])) {
				t.Fatalf("got %v after the storm, want %v", again, got[1])
			}
			// The packet can reach the viewer before the write returns
			// and is counted.
			waitUntil(t, func() bool {
				return metricValue(t, reg, "mediagate_egress_nack_retransmits_total", "cam") == 3
			}, "3 retransmissions counted after the storm")
		})
	}
}

func marshal(t *testing.T, p *rtp.Packet) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
