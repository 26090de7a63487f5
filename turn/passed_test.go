package turn

import (
	"net"
	"testing"
)

// TestPassedSockets hands the server a UDP socket, a TCP listener for
// TURN over TCP, one for TLS, and a UDP socket no address names, the way
// systemd's socket activation does. The configured addresses are the
// passed sockets' own, which stay bound (binding them again would fail):
// the server serves on the passed ones, allocates over each transport,
// and closes the unnamed one.
func TestPassedSockets(t *testing.T) {
	udp := listenUDP(t)
	spare := listenUDP(t)
	tcp, tlsLn := listenTCP(t), listenTCP(t)
	r := newRig(t, func(c *Config) {
		c.UDP = []string{udp.LocalAddr().String()}
		c.TCP = []string{tcp.Addr().String()}
		c.TLS = []string{tlsLn.Addr().String()}
		c.Passed = Passed{UDP: []*net.UDPConn{spare, udp}, TCP: []*net.TCPListener{tlsLn, tcp}}
	})
	for transport, want := range map[string]net.Addr{"udp": udp.LocalAddr(), "tcp": tcp.Addr(), "tls": tlsLn.Addr()} {
		if got := r.addr(transport); got != want.String() {
			t.Errorf("%s listens on %s, want the passed %s", transport, got, want)
		}
		r.allocate(t, transport, "passed-"+transport)
	}
	if _, err := spare.WriteToUDP([]byte("x"), udp.LocalAddr().(*net.UDPAddr)); err == nil {
		t.Error("the passed socket no address names is still open")
	}
}

// TestPassedSocketsClosedOnError: when New fails, the passed sockets are
// closed too, taken or not.
func TestPassedSocketsClosedOnError(t *testing.T) {
	udp, tcp := listenUDP(t), listenTCP(t)
	_, err := New(Config{UDP: []string{udp.LocalAddr().String()}, TLS: []string{tcp.Addr().String()},
		Passed: Passed{UDP: []*net.UDPConn{udp}, TCP: []*net.TCPListener{tcp}}})
	if err == nil {
		t.Fatal("New without a TLS certificate succeeded")
	}
	if _, err := udp.WriteToUDP([]byte("x"), udp.LocalAddr().(*net.UDPAddr)); err == nil {
		t.Error("the passed UDP socket is still open")
	}
	if _, err := tcp.Accept(); err == nil {
		t.Error("the passed TCP listener is still open")
	}
}

func listenUDP(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func listenTCP(t *testing.T) *net.TCPListener {
	t.Helper()
	l, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}
