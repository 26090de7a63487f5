package ingest

import (
	"crypto/rand"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// sender is a camera written for the tests: a UDP socket on loopback that
// sends RTP (SRTP when keyed) with pion/rtp and pion/srtp, and reads the
// RTCP the source sends back.
type sender struct {
	t        testing.TB
	conn     *net.UDPConn
	to       netip.AddrPort
	keys     *SRTPConfig
	enc, dec *srtp.Context
	ssrc     uint32
	seq      uint16
	ts       uint32
}

func newSender(t testing.TB, to netip.AddrPort, keys *SRTPConfig) *sender {
	t.Helper()
	local := netip.AddrPortFrom(to.Addr(), 0)
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(local))
	if err != nil {
		t.Fatalf("sender socket: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	s := &sender{t: t, conn: conn, to: to, keys: keys, ssrc: 0x1234abcd, seq: 1000, ts: 90000}
	s.rekey()
	return s
}

// rekey starts new SRTP contexts, as a restarted camera does.
func (s *sender) rekey() {
	if s.keys == nil {
		return
	}
	var err1, err2 error
	s.enc, err1 = srtp.CreateContext(s.keys.Key, s.keys.Salt, s.keys.Profile)
	// What the source sends back is protected with its send key, when it
	// has one of its own (SDES: a key per direction).
	recvKey, recvSalt := s.keys.Key, s.keys.Salt
	if s.keys.SendKey != nil {
		recvKey, recvSalt = s.keys.SendKey, s.keys.SendSalt
	}
	s.dec, err2 = srtp.CreateContext(recvKey, recvSalt, s.keys.Profile)
	if err := errors.Join(err1, err2); err != nil {
		s.t.Fatalf("sender SRTP: %v", err)
	}
}

func (s *sender) addr() netip.AddrPort { return s.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// packet builds the next RTP packet (SRTP when keyed) of payload type pt.
func (s *sender) packet(pt uint8, payload []byte) []byte {
	s.t.Helper()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: s.seq,
		Timestamp: s.ts, SSRC: s.ssrc}, Payload: payload}
	s.seq++
	s.ts += 3000
	raw, err := p.Marshal()
	if err != nil {
		s.t.Fatalf("marshal RTP: %v", err)
	}
	return s.protectRTP(raw)
}

func (s *sender) protectRTP(raw []byte) []byte {
	s.t.Helper()
	if s.enc == nil {
		return raw
	}
	out, err := s.enc.EncryptRTP(nil, raw, nil)
	if err != nil {
		s.t.Fatalf("encrypt RTP: %v", err)
	}
	return out
}

// sendTo sends b to addr.
func (s *sender) sendTo(b []byte, addr netip.AddrPort) {
	s.t.Helper()
	if _, err := s.conn.WriteToUDPAddrPort(b, addr); err != nil {
		s.t.Fatalf("send: %v", err)
	}
}

func (s *sender) send(b []byte) { s.sendTo(b, s.to) }

// video sends the next video packet and returns its sequence number.
func (s *sender) video(payload []byte) uint16 {
	seq := s.seq
	s.send(s.packet(videoPT, payload))
	return seq
}

// rtcpBytes marshals a compound (SRTCP when keyed).
func (s *sender) rtcpBytes(pkts ...rtcp.Packet) []byte {
	s.t.Helper()
	raw, err := rtcp.Marshal(pkts)
	if err != nil {
		s.t.Fatalf("marshal RTCP: %v", err)
	}
	if s.enc == nil {
		return raw
	}
	out, err := s.enc.EncryptRTCP(nil, raw, nil)
	if err != nil {
		s.t.Fatalf("encrypt RTCP: %v", err)
	}
	return out
}

// senderReport returns an SR for the sender's SSRC.
func (s *sender) senderReport(ntp uint64, rtpTime uint32) *rtcp.SenderReport {
	return &rtcp.SenderReport{SSRC: s.ssrc, NTPTime: ntp, RTPTime: rtpTime, PacketCount: 10, OctetCount: 1000}
}

// expectRTCP reads RTCP until a packet satisfies match, failing after
// waitLimit.
func (s *sender) expectRTCP(match func(rtcp.Packet) bool) rtcp.Packet {
	s.t.Helper()
	buf := make([]byte, 1500)
	deadline := time.Now().Add(waitLimit)
	_ = s.conn.SetReadDeadline(deadline)
	defer func() { _ = s.conn.SetReadDeadline(time.Time{}) }()
	for {
		n, _, err := s.conn.ReadFromUDPAddrPort(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			s.t.Fatal("expected RTCP did not arrive")
		}
		if err != nil {
			s.t.Fatalf("read RTCP: %v", err)
		}
		for _, p := range s.parseRTCP(buf[:n]) {
			if match(p) {
				return p
			}
		}
	}
}

func (s *sender) parseRTCP(b []byte) []rtcp.Packet {
	s.t.Helper()
	if s.dec != nil {
		var err error
		if b, err = s.dec.DecryptRTCP(nil, b, nil); err != nil {
			s.t.Fatalf("decrypt SRTCP from the source: %v", err)
		}
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		s.t.Fatalf("RTCP from the source does not parse: %v", err)
	}
	if _, ok := pkts[0].(*rtcp.ReceiverReport); !ok {
		s.t.Fatalf("RTCP compound starts with %T, not an RR", pkts[0])
	}
	return pkts
}

// randomKeys returns fresh keying of the right lengths for profile.
func randomKeys(t testing.TB, profile srtp.ProtectionProfile) *SRTPConfig {
	t.Helper()
	keyLen, err1 := profile.KeyLen()
	saltLen, err2 := profile.SaltLen()
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	k := &SRTPConfig{Profile: profile, Key: make([]byte, keyLen), Salt: make([]byte, saltLen)}
	_, _ = rand.Read(k.Key)
	_, _ = rand.Read(k.Salt)
	return k
}

// Payloads: an H.264 IDR slice (a keyframe) and a non-IDR slice.
var (
	idrPayload   = []byte{0x65, 0x88, 0x84, 0x00, 0x33, 0xff}
	slicePayload = []byte{0x41, 0x9a, 0x02, 0x03, 0x04}
)

// numbered returns a non-IDR slice payload that carries i.
func numbered(i int) []byte { return []byte{0x41, 0x9a, byte(i >> 8), byte(i), 0x55} }
