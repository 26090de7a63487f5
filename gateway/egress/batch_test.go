package egress

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"
)

// TestBatchSends: a pass's packets for two viewers, sealed into the
// arena, arrive whole and in order at each (a viewer's run of equal sizes
// goes as one GSO message: internal/udpbatch's tests check the runs), and
// a packet sealed into a buffer of its own is sent as it is.
func TestBatchSends(t *testing.T) {
	recv := func() (*net.UDPConn, *fastDest) {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c, &fastDest{ap: netip.MustParseAddrPort(c.LocalAddr().String())}
	}
	sock, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	fs, err := newFastSocket(sock)
	if err != nil {
		t.Fatal(err)
	}
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
	b.add(d2, bytes.Repeat([]byte{9}, 300)) // sealed outside the arena
	sizes[d2] = append(sizes[d2], 300)
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
			want := byte(n/100 + i)
			if n == 300 {
				want = 9
			}
			if got != n || buf[0] != want || buf[got-1] != want {
				t.Fatalf("datagram %d: %d bytes of %d, want %d of %d", i, got, buf[0], n, want)
			}
		}
	}
}
