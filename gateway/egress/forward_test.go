package egress

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/ratelog"
)

// discardWriter stands in for pion's TrackLocalWriter.
type discardWriter struct{}

func (discardWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	return h.MarshalSize() + len(payload), nil
}

func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkForward measures the per-packet path of a viewer track, from a
// queued stream.Packet to pion's writer: rewrite, H.264 checks, write and
// metrics, for each kind of payload a camera sends (at a 1200-byte MTU
// nearly every packet is an FU-A fragment). It should not allocate.
func BenchmarkForward(b *testing.B) {
	fill := func(head ...byte) []byte { return append(head, make([]byte, 1200-len(head))...) }
	for _, c := range []struct {
		name    string
		payload []byte
	}{
		{"slice", fill(0x41)},
		{"fu-a", fill(0x7c, 0x01)}, // a middle fragment of a non-IDR slice
		{"stap-a", []byte{0x78, 0, 2, 0x68, 0xce, 0, 2, 0x06, 0x05}}, // PPS, SEI: no SPS
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkForward(b, c.payload) })
	}
}

func benchmarkForward(b *testing.B, payload []byte) {
	s, _ := newTestStream(&h264Codec, nil, nil)
	log := slog.New(slog.DiscardHandler)
	v := &Viewer{stream: s, log: log, errs: ratelog.New(log), metrics: NewMetrics(nil).forStream("bench")}
	t := &outTrack{boundCh: make(chan struct{})}
	t.bound.Store(&binding{ssrc: 1, pt: 102, writer: discardWriter{}})
	plan := &trackPlan{src: s.Video, offeredProfiles: map[uint8]bool{0x42: true}}
	f := newForwarder(v, plan, t)
	f.live = true
	p := &stream.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 96, SSRC: 7},
		Payload: make([]byte, 1200), Arrival: time.Now(), Keyframe: true,
	}
	p.Payload[0] = 0x65
	f.forward(p, time.Now())
	p.Keyframe, p.Payload = false, payload
	b.ReportAllocs()
	b.SetBytes(int64(len(p.Payload)))
	for b.Loop() {
		p.SequenceNumber++ // one access unit: the timestamp stays
		f.forward(p, time.Now())
	}
	if sent, _ := f.out.Sent(); f.out.Waiting() || sent < 2 {
		b.Fatalf("forwarder dropped packets: waiting %v, sent %d", f.out.Waiting(), sent)
	}
}

// BenchmarkFanPass measures the fast path's pass over 100 viewers of one
// H.264 source (fan.go): per packet, each viewer's rewrite, SRTP
// (AES-128-GCM and AES-CM-HMAC-SHA1-80, with keys of its own) into the
// batch, and the sendmmsg of the pass to a loopback socket nobody reads,
// for passes of one packet and of a frame's eight (each viewer's eight
// then go out as one UDP GSO message). ns/viewer is per packet and
// viewer; it should not allocate.
func BenchmarkFanPass(b *testing.B) {
	for _, profile := range []srtp.ProtectionProfile{srtp.ProtectionProfileAeadAes128Gcm, srtp.ProtectionProfileAes128CmHmacSha1_80} {
		for _, burst := range []int{1, 8} {
			b.Run(fmt.Sprintf("%v/burst=%d", profile, burst), func(b *testing.B) { benchmarkFanPass(b, profile, 100, burst) })
		}
	}
}

func benchmarkFanPass(b *testing.B, profile srtp.ProtectionProfile, viewers, frame int) {
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	legs := fastLegs(b, profile, viewers, netip.MustParseAddrPort(sink.LocalAddr().String()))
	var bt batch
	p := &stream.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 96, SSRC: 7},
		Payload: make([]byte, 1200), Arrival: time.Now(), Keyframe: true,
	}
	p.Payload[0] = 0x65
	burst := []*stream.Packet{p}
	pass := func() { bt.pass(legs, burst, time.Now()) }
	pass()
	burst = burst[:0]
	for i := range frame { // FU-A middles of one frame
		q := &stream.Packet{Header: p.Header, Payload: bytes.Clone(p.Payload), Arrival: p.Arrival}
		q.Payload[0], q.Payload[1], q.SequenceNumber = 0x7c, 0x01, uint16(i+1)
		burst = append(burst, q)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(p.Payload) * viewers * frame))
	for b.Loop() {
		for _, q := range burst {
			q.SequenceNumber += uint16(frame)
		}
		pass()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(viewers*frame), "ns/viewer")
	if sent, _ := legs[0].out.Sent(); sent < 2 {
		b.Fatalf("sent %d packets", sent)
	}
}

// fastLegs returns n live fast-path forwarders of one H.264 source, leg i
// with SRTP keys of bytes i+1 and salt of bytes i (srtpKeys), all sending
// to to from one loopback socket.
func fastLegs(tb testing.TB, profile srtp.ProtectionProfile, n int, to netip.AddrPort) []*forwarder {
	tb.Helper()
	s, _ := newTestStream(&h264Codec, nil, nil)
	log := slog.New(slog.DiscardHandler)
	sock, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sock.Close() })
	fs, err := newFastSocket(sock)
	if err != nil {
		tb.Fatal(err)
	}
	legs := make([]*forwarder, n)
	for i := range legs {
		v := &Viewer{stream: s, log: log, errs: ratelog.New(log), metrics: NewMetrics(nil).forStream("bench")}
		v.dest.Store(&fastDest{sock: fs, ap: to})
		ctx, err := srtpKeys(profile, i)
		if err != nil {
			tb.Fatal(err)
		}
		t := &outTrack{boundCh: make(chan struct{})}
		t.bound.Store(&binding{ssrc: uint32(i + 1), pt: 102})
		f := newForwarder(v, &trackPlan{src: s.Video, offeredProfiles: map[uint8]bool{0x42: true}}, t)
		f.live, f.link = true, &fastLink{ctx: ctx, dest: &v.dest}
		legs[i] = f
	}
	return legs
}

// srtpKeys is leg i's SRTP context of fastLegs (a second call makes the
// context that decrypts what the first protected).
func srtpKeys(profile srtp.ProtectionProfile, i int) (*srtp.Context, error) {
	keyLen, _ := profile.KeyLen()
	saltLen, _ := profile.SaltLen()
	return srtp.CreateContext(bytes.Repeat([]byte{byte(i + 1)}, keyLen), bytes.Repeat([]byte{byte(i)}, saltLen), profile)
}
