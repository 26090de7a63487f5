package ingest

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		want packetKind
	}{
		{"empty", nil, kindOther},
		{"one byte", []byte{0x80}, kindOther},
		{"STUN", []byte{0x00, 0x01}, kindOther},
		{"ZRTP", []byte{0x10, 0x00}, kindOther},
		{"DTLS", []byte{0x16, 0xfe}, kindOther},
		{"TURN channel", []byte{0x40, 0x00}, kindOther},
		{"version 3", []byte{0xc0, 0x60}, kindOther},
		{"RTP", []byte{0x80, 0x60}, kindRTP},
		{"RTP with marker", []byte{0x80, 0xe0}, kindRTP},
		{"RTP payload type 64 with marker", []byte{0x80, 0xc0 - 1}, kindRTP},
		{"RTCP SR", []byte{0x80, 200}, kindRTCP},
		{"RTCP lowest", []byte{0x81, 192}, kindRTCP},
		{"RTCP highest", []byte{0xbf, 223}, kindRTCP},
		{"above RTCP range", []byte{0x80, 224}, kindRTP},
	} {
		if got := classify(c.b); got != c.want {
			t.Errorf("%s: classify = %v, want %v", c.name, got, c.want)
		}
	}
}

// FuzzClassify runs arbitrary datagrams through the classifier and the whole
// handle path of a plain and an SRTP source, on both socket roles, with no
// socket. It must never panic, and it checks the classifier's contract.
func FuzzClassify(f *testing.F) {
	for _, c := range badPackets {
		f.Add(c.b, uint16(5000))
	}
	f.Add(rtpBytes(0x80, videoPT, 1, 0x65, 1), uint16(5000))
	f.Add(rtpBytes(0x90, videoPT, 2, 0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00, 0x41), uint16(5000))
	f.Add(rtpBytes(0x81, audioPT, 3, 1, 2, 3, 4, 0x41), uint16(5001))
	f.Add(mustRTCP(&rtcp.SenderReport{SSRC: 0x0badcafe, NTPTime: 1 << 40}, &rtcp.Goodbye{Sources: []uint32{1}}), uint16(5000))
	keys := &SRTPConfig{Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, Key: make([]byte, 16), Salt: make([]byte, 14)}
	enc, err := srtp.CreateContext(keys.Key, keys.Salt, keys.Profile)
	if err != nil {
		f.Fatal(err)
	}
	for seq := range uint16(3) {
		p, _ := enc.EncryptRTP(nil, rtpBytes(0x80, videoPT, seq, 0x41, byte(seq)), nil)
		f.Add(p, uint16(5000))
	}
	sr, _ := enc.EncryptRTCP(nil, mustRTCP(&rtcp.SenderReport{SSRC: 0x0badcafe}), nil)
	f.Add(sr, uint16(5000))

	plain, err := newSource(SourceConfig{Name: testStream}, newTestStream(nil), nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	keyed, err := newSource(SourceConfig{Name: testStream, SRTP: keys}, newTestStream(nil), nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte, port uint16) {
		k := classify(b)
		if k != kindOther && (len(b) < 2 || b[0]>>6 != 2) {
			t.Fatalf("classified %x as RTP or RTCP", b)
		}
		from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port%4+5000)
		now := time.Now()
		for _, s := range []*Source{plain, keyed} {
			for _, rtcpOnly := range []bool{false, true} {
				s.handle(append([]byte(nil), b...), from, rtcpOnly, now)
			}
		}
		plain.RequestKeyframe()
		plain.tick(now)
	})
}

// packetPath returns a latched source without sockets (SRTP when keys is
// not nil) and a function that hands it the next in-sequence video packet
// in a reused read buffer.
func packetPath(tb testing.TB, keys *SRTPConfig) func() {
	s, err := newSource(SourceConfig{Name: testStream, SRTP: keys}, newTestStream(nil), nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	var enc *srtp.Context
	if keys != nil {
		if enc, err = srtp.CreateContext(keys.Key, keys.Salt, keys.Profile); err != nil {
			tb.Fatal(err)
		}
	}
	plain := rtpBytes(0x80, videoPT, 0, append([]byte{0x41}, make([]byte, 1100)...)...)
	buf, wire := make([]byte, DefaultReadBuffer+1), make([]byte, 0, DefaultReadBuffer)
	var hdr rtp.Header
	seq := uint16(0)
	next := func() {
		binary.BigEndian.PutUint16(plain[2:], seq)
		binary.BigEndian.PutUint32(plain[4:], uint32(seq)*3000)
		seq++
		out := plain
		if enc != nil {
			out, _ = enc.EncryptRTP(wire, plain, &hdr)
		}
		n := copy(buf, out)
		s.handle(buf[:n], camera, false, time.Now())
	}
	next()
	next()
	return next
}

// raceEnabled is set by race_test.go.
var raceEnabled bool

// TestPacketPathAllocations pins the allocations per delivered packet to
// the Packet and its payload copy, for plain RTP and every SRTP suite.
func TestPacketPathAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	check := func(name string, keys *SRTPConfig) {
		next := packetPath(t, keys)
		if n := testing.AllocsPerRun(1000, next); n > 2 {
			t.Errorf("%s: %v allocations per packet, want at most 2", name, n)
		}
	}
	check("plain", nil)
	for _, p := range suites {
		check(p.String(), randomKeys(t, p))
	}
}

// BenchmarkPacketPath measures handle for one in-sequence video packet; the
// SRTP case includes the test sender's encryption of the packet.
func BenchmarkPacketPath(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchPath(b, nil) })
	b.Run("srtp", func(b *testing.B) { benchPath(b, randomKeys(b, srtp.ProtectionProfileAes128CmHmacSha1_80)) })
}

func benchPath(b *testing.B, keys *SRTPConfig) {
	next := packetPath(b, keys)
	b.ReportAllocs()
	for b.Loop() {
		next()
	}
}
