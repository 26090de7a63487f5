package turn

import (
	"bytes"
	"net"
	"net/netip"
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
