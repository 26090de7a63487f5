package udpbatch

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"
)

// newTestSocket wraps c for batched writes.
func newTestSocket(t *testing.T, c *net.UDPConn) Socket {
	t.Helper()
	s, err := NewSocket(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recvUDP reads one datagram from c within two seconds.
func recvUDP(t *testing.T, c *net.UDPConn) []byte {
	t.Helper()
	buf := make([]byte, 65536)
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return buf[:n]
}

// TestWriter checks that a flush delivers every datagram to its own
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
			sock := newTestSocket(t, listen(t, c.network, c.host))
			net4 := "udp4"
			if netip.MustParseAddr(c.peerHost).Is6() {
				net4 = "udp6"
			}
			peers := []*net.UDPConn{listen(t, net4, c.peerHost), listen(t, net4, c.peerHost)}
			w := NewWriter(8)
			var sent [][]byte
			for i := range 6 {
				p := fill(i, 50+i)
				sent = append(sent, p)
				w.Add(p, peers[i%2].LocalAddr().(*net.UDPAddr).AddrPort())
				if i == 2 && c.bad != "" {
					w.Add([]byte("refused"), netip.MustParseAddrPort(c.bad))
				}
			}
			res := w.Flush(sock)
			wantFailed := 0
			if c.bad != "" {
				wantFailed = 1
			}
			if res.Packets != 6 || res.Failed != wantFailed || res.Bytes != 50*6+15 {
				t.Errorf("flush = %+v, want 6 packets, %d bytes, %d failed", res, 50*6+15, wantFailed)
			}
			for i, p := range sent {
				got := recvUDP(t, peers[i%2])
				if !bytes.Equal(got, p) {
					t.Fatalf("datagram %d: got %d bytes, want %d", i, len(got), len(p))
				}
			}
			if res := w.Flush(sock); res != (Result{}) {
				t.Errorf("flush of nothing = %+v", res)
			}
		})
	}
}
