package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// identityCases are datagrams a viewer's socket reads and what rtpIdentity
// must make of them.
var identityCases = []struct {
	name string
	pkt  []byte
	ssrc uint32
	seq  uint16
	ok   bool
}{
	{"RTP", []byte{0x80, 96, 0x12, 0x34, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 'x'}, 0xdeadbeef, 0x1234, true},
	{"RTP with marker", []byte{0x80, 0x80 | 102, 0, 9, 0, 0, 0, 1, 0, 0, 0, 5}, 5, 9, true},
	{"RTP, every flag", []byte{0xbf, 127, 0xff, 0xff, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff}, 0xffffffff, 0xffff, true},
	{"RTCP sender report", []byte{0x80, 200, 0, 6, 0, 0, 0, 5, 0, 0, 0, 0}, 0, 0, false},
	{"RTCP, first of the range", []byte{0x80, 192, 0, 6, 0, 0, 0, 5, 0, 0, 0, 0}, 0, 0, false},
	{"RTCP, last of the range", []byte{0x81, 223, 0, 6, 0, 0, 0, 5, 0, 0, 0, 0}, 0, 0, false},
	{"STUN", []byte{0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 0, 0, false},
	{"DTLS", []byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 16}, 0, 0, false},
	{"too short", []byte{0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0}, 0, 0, false},
	{"empty", nil, 0, 0, false},
}

func TestRTPIdentity(t *testing.T) {
	for _, tc := range identityCases {
		t.Run(tc.name, func(t *testing.T) {
			ssrc, seq, ok := rtpIdentity(tc.pkt)
			if ok != tc.ok || ssrc != tc.ssrc || seq != tc.seq {
				t.Errorf("got %#x, %d, %v; want %#x, %d, %v", ssrc, seq, ok, tc.ssrc, tc.seq, tc.ok)
			}
		})
	}
}

func FuzzRTPIdentity(f *testing.F) {
	for _, tc := range identityCases {
		f.Add(tc.pkt)
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		if ssrc, seq, ok := rtpIdentity(pkt); !ok && (ssrc != 0 || seq != 0) {
			t.Fatal("an identity with a failure")
		}
	})
}

// cmsg returns one control message as the kernel writes it: a Cmsghdr,
// then data, padded to the message's space.
func cmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

// timespec returns a struct timespec's bytes (64-bit layout).
func timespec(sec, nsec int64) []byte {
	b := make([]byte, 16)
	binary.NativeEndian.PutUint64(b[0:], uint64(sec))
	binary.NativeEndian.PutUint64(b[8:], uint64(nsec))
	return b
}

// timestampCases are recvmsg control buffers and the timestamp in them.
var timestampCases = []struct {
	name string
	oob  []byte
	want int64
	ok   bool
}{
	{"timestamp", cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, timespec(1_700_000_000, 123_456_789)), 1_700_000_000_123_456_789, true},
	{"after another message", append(cmsg(unix.IPPROTO_IP, unix.IP_TOS, []byte{0}),
		cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, timespec(2, 5))...), 2_000_000_005, true},
	{"SO_TIMESTAMPING, software", cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPING,
		append(append(timespec(3, 7), timespec(0, 0)...), timespec(0, 0)...)), 3_000_000_007, true},
	{"SO_TIMESTAMPING, hardware only", cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPING,
		append(append(timespec(0, 0), timespec(0, 0)...), timespec(3, 7)...)), 0, false},
	{"only another message", cmsg(unix.IPPROTO_IP, unix.IP_TOS, []byte{0}), 0, false},
	{"short timespec", cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, make([]byte, 8)), 0, false},
	{"truncated header", cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, timespec(1, 1))[:8], 0, false},
	{"none", nil, 0, false},
}

func TestKernelTimestamp(t *testing.T) {
	for _, tc := range timestampCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := kernelTimestamp(tc.oob)
			if ok != tc.ok || got != tc.want {
				t.Errorf("got %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzKernelTimestamp(f *testing.F) {
	for _, tc := range timestampCases {
		f.Add(tc.oob)
	}
	f.Fuzz(func(t *testing.T, oob []byte) {
		if ts, ok := kernelTimestamp(oob); !ok && ts != 0 {
			t.Fatal("a timestamp with a failure")
		}
	})
}

func TestArrivalTable(t *testing.T) {
	var tab arrivalTable
	if _, ok := tab.lookup(0, 0); ok {
		t.Error("an empty table found SSRC 0, sequence 0")
	}
	tab.put(7, 100, 10, 11)
	if a, ok := tab.lookup(7, 100); !ok || a.at != 10 || a.read != 11 {
		t.Errorf("got %+v, %v; want at 10, read 11", a, ok)
	}
	if _, ok := tab.lookup(8, 100); ok {
		t.Error("found another SSRC's packet")
	}
	tab.put(7, 100+arrivalSlots, 20, 21) // the same slot, a newer packet
	if _, ok := tab.lookup(7, 100); ok {
		t.Error("found an overwritten packet")
	}
	if a, ok := tab.lookup(7, 100+arrivalSlots); !ok || a.at != 20 {
		t.Errorf("got %+v, %v; want at 20", a, ok)
	}
	var none *arrivalTable
	if _, ok := none.of(identityCases[0].pkt); ok {
		t.Error("a nil table found a packet")
	}
	tab.put(0xdeadbeef, 0x1234, 30, 31)
	if a, ok := tab.of(identityCases[0].pkt); !ok || a.at != 30 {
		t.Errorf("of: got %+v, %v; want at 30", a, ok)
	}
}

// TestStampedConn sends STUN and RTP to a socket of stampedNet and reads
// them 20 ms later: the RTP packet's arrival is recorded on monoNow's clock,
// at the send, and the STUN message's is not. The kernel turns its
// timestamping on a moment after the first socket asks (the static key is
// flipped by deferred work); until then it stamps a packet when it is read,
// so the test tries a few rounds.
func TestStampedConn(t *testing.T) {
	var tab arrivalTable
	n := &stampedNet{arrivals: &tab}
	c, err := n.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn := c.(*stampedConn)
	out, err := net.DialUDP("udp4", nil, c.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	rtpPkt, stunPkt := identityCases[0].pkt, identityCases[6].pkt
	var last string
	for range 20 {
		sent := monoNow()
		for _, pkt := range [][]byte{stunPkt, rtpPkt} {
			if _, err := out.Write(pkt); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(20 * time.Millisecond)
		buf := make([]byte, 1500)
		if _, _, err := conn.ReadFrom(buf); err != nil { // STUN
			t.Fatal(err)
		}
		k, from, err := conn.ReadFromAddrPort(buf)
		if err != nil || k != len(rtpPkt) || from != netip.MustParseAddrPort(out.LocalAddr().String()) {
			t.Fatalf("read %d bytes from %v: %v", k, from, err)
		}
		read := monoNow()
		a, ok := tab.of(rtpPkt)
		if !ok {
			t.Fatal("no arrival recorded")
		}
		if a.read < sent+int64(20*time.Millisecond) || a.read > read {
			t.Fatalf("sent %d, read by the socket's reader at %d, then %d", sent, a.read, read)
		}
		// A wrong clock conversion is off by decades.
		if a.at >= sent && a.at < sent+int64(10*time.Millisecond) {
			for i, slot := range tab.slots {
				if slot.key != 0 && slot.key != arrivalKey(0xdeadbeef, 0x1234) {
					t.Errorf("slot %d holds %+v: the STUN message was recorded", i, slot)
				}
			}
			return
		}
		last = fmt.Sprintf("sent %d, arrived %d, read %d", sent, a.at, a.read)
	}
	t.Errorf("no arrival stamped at the send: last %s", last)
}
