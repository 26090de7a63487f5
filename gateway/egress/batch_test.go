package egress

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"
)

// TestBatchGSO: a viewer's consecutive packets of one size (the last may
// be shorter) share one message, which the kernel cuts into datagrams
// (UDP GSO); another viewer's, or a packet after a shorter one, start a
// new message; every datagram arrives whole, in order.
func TestBatchGSO(t *testing.T) {
	recv := func() (*net.UDPConn, *fastDest) {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		ap := netip.MustParseAddrPort(c.LocalAddr().String())
		return c, &fastDest{ap: ap, ua: net.UDPAddrFromAddrPort(ap)}
	}
	sock, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	fs := newFastSocket(sock)
	r1, d1 := recv()
	r2, d2 := recv()
	d1.sock, d2.sock = fs, fs

	var b batch
	sizes := map[*fastDest][]int{d1: {1000, 1000, 600, 1000}, d2: {500}}
	for _, d := range []*fastDest{d1, d2} {
		for i, n := range sizes[d] {
			b.add(d, append(b.slot(), bytes.Repeat([]byte{byte(n/100 + i)}, n)...))
		}
	}
	if b.n != 3 || b.segs[0] != 3 || b.segs[1] != 1 || b.segs[2] != 1 || b.msgs[0].OOB == nil || b.msgs[1].OOB != nil {
		t.Fatalf("%d messages of %v packets, want 3 of [3 1 1] with GSO on the first", b.n, b.segs[:b.n])
	}
	b.flush(nil)
	for _, c := range []struct {
		conn *net.UDPConn
		d    *fastDest
	}{{r1, d1}, {r2, d2}} {
		buf := make([]byte, 2000)
		for i, n := range sizes[c.d] {
			_ = c.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			got, err := c.conn.Read(buf)
			if err != nil {
				t.Fatalf("datagram %d of %v: %v", i, sizes[c.d], err)
			}
			if got != n || buf[0] != byte(n/100+i) || buf[got-1] != byte(n/100+i) {
				t.Fatalf("datagram %d: %d bytes starting %d, want %d of %d", i, got, buf[0], n, n/100+i)
			}
		}
	}
	if !fs.gso.Load() {
		t.Fatal("the kernel refused UDP GSO on loopback")
	}
}

// TestBatchGSORefused: a socket whose kernel refuses a GSO message (here
// one of more segments than UDP_MAX_SEGMENTS) sends its packets as single
// datagrams and turns GSO off for the socket.
func TestBatchGSORefused(t *testing.T) {
	sock, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	rc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	ap := netip.MustParseAddrPort(rc.LocalAddr().String())
	d := &fastDest{sock: newFastSocket(sock), ap: ap, ua: net.UDPAddrFromAddrPort(ap)}
	var b batch
	const segs, size = 130, 10
	b.add(d, append(b.slot(), make([]byte, segs*size)...))
	b.seg[0] = size
	b.msgs[0].OOB = b.udpSegment(0)
	b.flush(nil)
	buf := make([]byte, 2000)
	for i := range segs {
		_ = rc.SetReadDeadline(time.Now().Add(2 * time.Second))
		if n, err := rc.Read(buf); err != nil || n != size {
			t.Fatalf("datagram %d: %d bytes, %v", i, n, err)
		}
	}
	if d.sock.gso.Load() {
		t.Fatal("GSO still on after the kernel refused it")
	}
}
