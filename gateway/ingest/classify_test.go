package ingest

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
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

// plainPath returns a latched plain source without sockets and a function
// that hands it the next in-sequence video packet.
func plainPath(tb testing.TB) func() {
	s, err := newSource(SourceConfig{Name: testStream}, newTestStream(nil), nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	buf := rtpBytes(0x80, videoPT, 0, append([]byte{0x41}, make([]byte, 1100)...)...)
	seq := uint16(0)
	next := func() {
		binary.BigEndian.PutUint16(buf[2:], seq)
		binary.BigEndian.PutUint32(buf[4:], uint32(seq)*3000)
		seq++
		s.handle(buf, camera, false, time.Now())
	}
	next()
	next()
	return next
}

// TestPacketPathAllocations pins the allocations per packet: the Packet and
// its payload copy.
func TestPacketPathAllocations(t *testing.T) {
	next := plainPath(t)
	if n := testing.AllocsPerRun(1000, next); n > 2 {
		t.Errorf("%v allocations per packet, want at most 2", n)
	}
}

func BenchmarkPlainPacketPath(b *testing.B) {
	next := plainPath(b)
	b.ReportAllocs()
	for b.Loop() {
		next()
	}
}
