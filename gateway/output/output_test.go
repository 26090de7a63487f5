package output

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/transport/v3/test"
)

var keyings = []struct {
	name string
	key  *SRTPConfig
}{{"rtp", nil}, {"srtp", testKey}}

// TestForwardsRewritten checks what the receiver gets: only after a
// keyframe, with the configured payload type and the Output's own SSRC,
// and sequence numbers that run on across a source restart.
func TestForwardsRewritten(t *testing.T) {
	for _, k := range keyings {
		t.Run(k.name, func(t *testing.T) {
			f := newFixture(t, k.key, nil)
			f.waitSubscribed(f.st)
			f.writeVideo(false, 0xaa) // before any keyframe: gated
			f.writeVideo(true, 1)
			f.writeVideo(false, 2)
			first, _ := f.readRTP()
			if first.Payload[0] != 1 || first.PayloadType != 100 || first.SSRC == 0x1111 {
				t.Fatalf("first packet %v payload %x, want the keyframe with PT 100 and the Output's SSRC", first.Header, first.Payload)
			}
			second, _ := f.readRTP()
			f.srcSeq += 20000 // a restart: the source jumps …
			f.writeVideo(false, 3)
			f.writeVideo(true, 4) // … and sends a keyframe
			third, _ := f.readRTP()
			if second.SequenceNumber != first.SequenceNumber+1 || third.SequenceNumber != second.SequenceNumber+1 {
				t.Errorf("sequence numbers %d, %d, %d: want consecutive", first.SequenceNumber, second.SequenceNumber, third.SequenceNumber)
			}
			if third.Payload[0] != 4 || third.SSRC != first.SSRC || int32(third.Timestamp-second.Timestamp) <= 0 {
				t.Errorf("after the restart: %v payload %x", third.Header, third.Payload)
			}
			waitFor(t, "packets_total 3", func() bool { return value(f.met.packets.WithLabelValues("cam")) == 3 })
		})
	}
}

// TestFollowsReplacedStream moves the Output to a rebuilt stream and
// checks that the receiver sees one continuous RTP stream.
func TestFollowsReplacedStream(t *testing.T) {
	f := newFixture(t, nil, nil)
	f.waitSubscribed(f.st)
	f.writeVideo(true, 1)
	before, _ := f.readRTP()
	old := f.st
	f.st = newTestStream("cam")
	f.out.SetStream(f.st)
	f.waitSubscribed(f.st)
	waitFor(t, "old tracks released", func() bool { return old.Video.Subscribers() == 0 })
	if f.out.Stream() != f.st {
		t.Fatal("Stream() is not the new stream")
	}
	f.writeVideo(true, 2)
	after, _ := f.readRTP()
	if after.SSRC != before.SSRC || after.SequenceNumber != before.SequenceNumber+1 || after.Payload[0] != 2 {
		t.Fatalf("after the move: %v, want SSRC %x seq %d", after.Header, before.SSRC, before.SequenceNumber+1)
	}
}

// TestFeedback sends RTCP from the receiver and checks each is honoured.
func TestFeedback(t *testing.T) {
	for _, k := range keyings {
		t.Run(k.name, func(t *testing.T) {
			rembs := make(chan int, 4)
			f := newFixture(t, k.key, func(c *Config) { c.OnREMB = func(bps int) { rembs <- bps } })
			f.waitSubscribed(f.st)
			f.writeVideo(true, 1)
			first, wire := f.readRTP()
			ssrc := first.SSRC

			f.sendRTCP(&rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: 9, Bitrate: 750_000, SSRCs: []uint32{ssrc}})
			if got := <-rembs; got != 750_000 {
				t.Errorf("OnREMB(%d), want 750000", got)
			}
			if bps, ok := f.out.REMB(); !ok || bps != 750_000 {
				t.Errorf("REMB() = %d, %v", bps, ok)
			}
			if g := value(f.met.remb.WithLabelValues("cam")); g != 750_000 {
				t.Errorf("receiver_remb_bitrate = %v", g)
			}

			base := f.keyframes.Load()
			f.sendRTCP(&rtcp.PictureLossIndication{SenderSSRC: 9, MediaSSRC: ssrc})
			f.sendRTCP(&rtcp.FullIntraRequest{SenderSSRC: 9, FIR: []rtcp.FIREntry{{SSRC: ssrc, SequenceNumber: 1}}})
			waitFor(t, "two keyframe requests", func() bool { return f.keyframes.Load() >= base+2 })

			f.sendRTCP(&rtcp.TransportLayerNack{SenderSSRC: 9, MediaSSRC: ssrc,
				Nacks: []rtcp.NackPair{{PacketID: first.SequenceNumber}}})
			if again := f.readRaw(); !bytes.Equal(again, wire) {
				t.Errorf("retransmission %x, want the first datagram again, %x", again, wire)
			}
			waitFor(t, "retransmit counted", func() bool {
				return value(f.met.retransmits.WithLabelValues("cam")) == 1
			})
			for _, kind := range []string{"remb", "pli", "fir", "nack"} {
				if got := f.rtcpCount(kind); got != 1 {
					t.Errorf("rtcp_total{type=%q} = %v, want 1", kind, got)
				}
			}
		})
	}
}

// TestStrangerDropped sends RTCP from another socket: it is dropped and
// counted, and has no effect.
func TestStrangerDropped(t *testing.T) {
	for _, k := range keyings {
		t.Run(k.name, func(t *testing.T) {
			f := newFixture(t, k.key, nil)
			stranger, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer stranger.Close()
			f.sendRTCPFrom(stranger, &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 1000})
			f.sendRTCPFrom(stranger, &rtcp.PictureLossIndication{MediaSSRC: 1})
			waitFor(t, "two strangers counted", func() bool { return f.dropped(dropStranger) == 2 })
			if _, ok := f.out.REMB(); ok {
				t.Error("a stranger's REMB was taken")
			}
			if f.rtcpCount("remb") != 0 || f.rtcpCount("pli") != 0 {
				t.Error("a stranger's RTCP was parsed")
			}
		})
	}
}

// TestBadDatagrams sends what the receiver must not: RTP, oversize
// datagrams, garbage, and for SRTP plain RTCP.
func TestBadDatagrams(t *testing.T) {
	// No tick: with no video written, each tick would ask for a keyframe.
	f := newFixture(t, testKey, func(c *Config) { c.ReadBuffer = 100; c.ReportInterval = time.Hour })
	f.waitSubscribed(f.st)
	base := f.keyframes.Load()
	send := func(b []byte) {
		if _, err := f.recv.WriteToUDPAddrPort(b, localTo(f.out.LocalAddr())); err != nil {
			t.Fatal(err)
		}
	}
	send(append([]byte{0x80, 96}, make([]byte, 20)...)) // RTP
	send(append([]byte{0x80, 200}, make([]byte, 200)...))
	plain, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: 1}})
	send(plain) // not authenticated
	waitFor(t, "each counted", func() bool {
		return f.dropped(dropNotRTCP) == 1 && f.dropped(dropOversize) == 1 && f.dropped(dropAuth) == 1
	})
	if f.keyframes.Load() != base {
		t.Error("an unauthenticated PLI was honoured")
	}
}

// TestNACKBudget checks that the receiver cannot make the Output resend
// more than its budget.
func TestNACKBudget(t *testing.T) {
	f := newFixture(t, nil, func(c *Config) { c.NACKBudget = 5 })
	f.waitSubscribed(f.st)
	f.writeVideo(true, 1)
	first, _ := f.readRTP()
	for range 16 {
		f.writeVideo(false, 2)
		f.readRTP()
	}
	f.sendRTCP(&rtcp.TransportLayerNack{MediaSSRC: first.SSRC,
		Nacks: []rtcp.NackPair{{PacketID: first.SequenceNumber, LostPackets: 0xffff}}})
	waitFor(t, "budget applied", func() bool {
		return value(f.met.retransmits.WithLabelValues("cam")) == 5 && f.dropped(dropNACKBudget) == 12
	})
}

// TestReportsAndBye checks the Sender Reports and the BYE at Close.
func TestReportsAndBye(t *testing.T) {
	for _, k := range keyings {
		t.Run(k.name, func(t *testing.T) {
			f := newFixture(t, k.key, func(c *Config) { c.ReportInterval = 20 * time.Millisecond })
			f.waitSubscribed(f.st)
			f.writeVideo(true, 1)
			p, _ := f.readRTP()
			pkts := f.readRTCP()
			sr, ok := pkts[0].(*rtcp.SenderReport)
			if !ok || sr.SSRC != p.SSRC || sr.PacketCount != 1 || sr.NTPTime == 0 {
				t.Fatalf("report %v, want an SR of SSRC %x with one packet", pkts, p.SSRC)
			}
			if sdes, ok := pkts[1].(*rtcp.SourceDescription); !ok || sdes.Chunks[0].Items[0].Text != "cam" {
				t.Errorf("SDES %v, want CNAME cam", pkts[1])
			}
			if err := errors.Join(f.out.Close(), f.out.Close()); err != nil {
				t.Fatal(err)
			}
			for {
				pkts := f.readRTCP()
				if bye, ok := pkts[len(pkts)-1].(*rtcp.Goodbye); ok {
					if bye.Sources[0] != p.SSRC {
						t.Errorf("BYE for %x, want %x", bye.Sources[0], p.SSRC)
					}
					break
				}
			}
			if f.st.Video.Subscribers() != 0 {
				t.Error("still subscribed after Close")
			}
		})
	}
}

// TestStartErrors checks the configs Start refuses.
func TestStartErrors(t *testing.T) {
	st := newTestStream("cam")
	remote := netip.MustParseAddrPort("127.0.0.1:9")
	for _, tc := range []struct {
		name string
		cfg  Config
		want error
	}{
		{"no stream", Config{Remote: remote}, ErrConfig},
		{"no remote", Config{Stream: st}, ErrConfig},
		{"wildcard remote", Config{Stream: st, Remote: netip.MustParseAddrPort("0.0.0.0:9")}, ErrConfig},
		{"negative", Config{Stream: st, Remote: remote, History: -1}, ErrConfig},
		{"bad key", Config{Stream: st, Remote: remote, SRTP: &SRTPConfig{Profile: testKey.Profile, Key: []byte("short")}}, ErrSRTP},
		{"bad listen", Config{Stream: st, Remote: remote, Listen: "256.0.0.1:0"}, ErrListen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Start(tc.cfg)
			if !errors.Is(err, tc.want) {
				if o != nil {
					_ = o.Close()
				}
				t.Fatalf("Start: %v, want %v", err, tc.want)
			}
		})
	}
	if st.Video.Subscribers() != 0 {
		t.Error("a failed Start left a subscription")
	}
}

// TestCloseLeavesNoGoroutines checks that Close joins everything Start
// started.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	report := test.CheckRoutines(t)
	defer report()
	f := newFixture(t, testKey, nil)
	f.waitSubscribed(f.st)
	f.writeVideo(true, 1)
	f.readRTP()
	if err := f.out.Close(); err != nil {
		t.Fatal(err)
	}
}
