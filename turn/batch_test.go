package turn

import (
	"bytes"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// listenLoopback binds a UDP socket on a loopback address of network, or
// skips when the family is not available.
func listenLoopback(t *testing.T, network, host string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(host), 0)))
	if err != nil {
		t.Skipf("no %s loopback: %v", network, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testSocket(t *testing.T, c *net.UDPConn) udpSocket {
	t.Helper()
	s, err := newUDPSocket(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pattern is a payload of n bytes that differs per datagram.
func pattern(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + j)
	}
	return b
}

// TestBatchReader checks that what is queued is read in one batch (on
// Linux, recvmmsg(2)), each datagram whole with its source, and a
// datagram larger than the buffer flagged truncated, never returned
// short as if whole.
func TestBatchReader(t *testing.T) {
	const size = 100
	sizes := []int{10, size, size + 1, 0, 1500, 7}
	cases := []struct {
		name, network, host, peerNet, peerHost string
		mapped                                 bool // the source appears IPv4-mapped
	}{
		{"ipv4", "udp4", "127.0.0.1", "udp4", "127.0.0.1", false},
		{"ipv6", "udp6", "::1", "udp6", "::1", false},
		{"dual stack, IPv4 peer", "udp", "::", "udp4", "127.0.0.1", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := listenLoopback(t, c.network, c.host)
			peer := listenLoopback(t, c.peerNet, c.peerHost)
			dst := netip.AddrPortFrom(netip.MustParseAddr(c.peerHost), uint16(conn.LocalAddr().(*net.UDPAddr).Port))
			for i, n := range sizes {
				if _, err := peer.WriteToUDPAddrPort(pattern(i, n), dst); err != nil {
					t.Fatal(err)
				}
			}
			want := peer.LocalAddr().(*net.UDPAddr).AddrPort()
			if c.mapped {
				want = netip.AddrPortFrom(netip.AddrFrom16(want.Addr().As16()), want.Port())
			}
			r := newBatchReader(testSocket(t, conn), 8, size)
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			var got []datagram
			for reads := 0; len(got) < len(sizes); reads++ {
				dgs, err := r.read()
				if err != nil {
					t.Fatalf("after %d datagrams: %v", len(got), err)
				}
				if reads == 0 && runtime.GOOS == "linux" && len(dgs) != len(sizes) {
					t.Errorf("first read returned %d of the %d queued datagrams", len(dgs), len(sizes))
				}
				for _, d := range dgs {
					d.buf = bytes.Clone(d.buf)
					got = append(got, d)
				}
			}
			for i, d := range got {
				trunc := sizes[i] > size
				if d.trunc != trunc || d.src != want {
					t.Errorf("datagram %d: truncated %v from %v; want %v from %v", i, d.trunc, d.src, trunc, want)
				}
				if !trunc && !bytes.Equal(d.payload(), pattern(i, sizes[i])) {
					t.Errorf("datagram %d: %d bytes, want %d", i, d.n, sizes[i])
				}
			}
		})
	}
}

// TestBatchWriter checks that a flush delivers every datagram to its own
// destination, IPv4 ones from a dual-stack socket too, and that one the
// kernel refuses is counted and the rest still sent.
func TestBatchWriter(t *testing.T) {
	cases := []struct {
		name, network, host, peerHost string
		bad                           string // a destination the socket cannot reach
	}{
		{"ipv4", "udp4", "127.0.0.1", "127.0.0.1", "[::1]:9"},
		{"ipv6", "udp6", "::1", "::1", "[::ffff:127.0.0.1]:9"},
		{"dual stack to IPv4", "udp", "::", "127.0.0.1", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sock := testSocket(t, listenLoopback(t, c.network, c.host))
			net4 := "udp4"
			if netip.MustParseAddr(c.peerHost).Is6() {
				net4 = "udp6"
			}
			peers := []*net.UDPConn{listenLoopback(t, net4, c.peerHost), listenLoopback(t, net4, c.peerHost)}
			w := newBatchWriter(8)
			var sent [][]byte
			for i := range 6 {
				p := pattern(i, 50+i)
				sent = append(sent, p)
				w.add(p, peers[i%2].LocalAddr().(*net.UDPAddr).AddrPort())
				if i == 2 && c.bad != "" {
					w.add([]byte("refused"), netip.MustParseAddrPort(c.bad))
				}
			}
			res := w.flush(sock)
			wantFailed := 0
			if c.bad != "" {
				wantFailed = 1
			}
			if res.packets != 6 || res.failed != wantFailed || res.bytes != 50*6+15 {
				t.Errorf("flush = %+v, want 6 packets, %d bytes, %d failed", res, 50*6+15, wantFailed)
			}
			for i, p := range sent {
				got, _ := recvUDP(peers[i%2], 2*time.Second)
				if !bytes.Equal(got, p) {
					t.Fatalf("datagram %d: got %d bytes, want %d", i, len(got), len(p))
				}
			}
			if res := w.flush(sock); res != (sendResult{}) {
				t.Errorf("flush of nothing = %+v", res)
			}
		})
	}
}
