package turn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"mediagate.dev/mediagate/turn/turntest"
)

// testRealm is the realm of the test servers.
const testRealm = "test.mediagate"

// testSecret signs the test servers' REST credentials.
var testSecret = []byte("0123456789abcdef-test-secret")

// rig is a TURN server on loopback with a UDP socket standing in for the
// gateway's ICE socket.
type rig struct {
	srv *Server
	reg *prometheus.Registry
	ice *net.UDPConn // the "ICE socket": the one peer the policy admits
	tls *tls.Config  // trusts the server's certificate
}

// newRig starts a server listening on UDP, TCP and TLS on 127.0.0.1 whose
// policy admits only 127.0.0.1 at the ICE socket's port; edit may change
// the config before it starts.
func newRig(t testing.TB, edit func(*Config)) *rig {
	t.Helper()
	ice, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ice.Close() })
	cert, pool := testCert(t, "127.0.0.1")
	r := &rig{reg: prometheus.NewRegistry(), ice: ice, tls: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}
	lo := netip.MustParseAddr("127.0.0.1")
	cfg := Config{
		Log:        newTestLog(t),
		Metrics:    NewMetrics(r.reg),
		Realm:      testRealm,
		UDP:        []string{"127.0.0.1:0"},
		TCP:        []string{"127.0.0.1:0"},
		TLS:        []string{"127.0.0.1:0"},
		TLSConfig:  &tls.Config{Certificates: []tls.Certificate{cert}},
		Secret:     testSecret,
		RelayBind:  lo,
		RelayAddrs: []netip.Addr{lo},
		Policy:     Policy{ICE: []netip.Addr{lo}, Port: uint16(ice.LocalAddr().(*net.UDPAddr).Port)},
	}
	if edit != nil {
		edit(&cfg)
	}
	if r.srv, err = New(cfg); err != nil {
		t.Fatalf("turn.New: %v", err)
	}
	t.Cleanup(func() { _ = r.srv.Close() })
	return r
}

// iceAddr is the rig's ICE socket address.
func (r *rig) iceAddr() netip.AddrPort { return r.ice.LocalAddr().(*net.UDPAddr).AddrPort() }

// addr returns the server's first listener address of transport.
func (r *rig) addr(transport string) string {
	udp, tcp, tl := r.srv.Addrs()
	switch transport {
	case "udp":
		return udp[0].String()
	case "tcp":
		return tcp[0].String()
	}
	return tl[0].String()
}

// dial connects a client over transport ("udp", "tcp" or "tls").
func (r *rig) dial(t testing.TB, transport string) *turntest.Client {
	t.Helper()
	c, err := turntest.Dial(transport, r.addr(transport), r.tls)
	if err != nil {
		t.Fatalf("dial %s: %v", transport, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// allocate dials and allocates with fresh credentials for label.
func (r *rig) allocate(t testing.TB, transport, label string) (*turntest.Client, netip.AddrPort) {
	t.Helper()
	c := r.dial(t, transport)
	cr := r.srv.Mint(label)
	relay, err := c.Allocate(cr.Username, cr.Password)
	if err != nil {
		t.Fatalf("allocate over %s: %v", transport, err)
	}
	return c, relay
}

// metric returns the value of a counter or gauge of the rig's registry
// whose labels include want.
func (r *rig) metric(t testing.TB, name string, want map[string]string) float64 {
	t.Helper()
	families, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, want) {
				if m.GetCounter() != nil {
					return m.GetCounter().GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

// waitMetric waits until a metric reaches want: a counter is incremented
// just after the datagram it counts leaves, so a test may see the datagram
// first.
func (r *rig) waitMetric(t testing.TB, name string, labels map[string]string, want float64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := r.metric(t, name, labels)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%v = %v, want %v", name, labels, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
			n++
		}
	}
	return n == len(want)
}

// errCode returns the STUN error code of err, or 0.
func errCode(err error) int {
	if ec, ok := err.(*turntest.ErrorCode); ok {
		return ec.Code
	}
	return 0
}

// testCert makes a self-signed ECDSA certificate for host (an IP address
// or a DNS name) and a pool that trusts it.
func testCert(t testing.TB, host string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// testLogWriter sends log output to t.Log until the test ends, and drops
// what goroutines still log after that.
type testLogWriter struct {
	t    testing.TB
	mu   *sync.Mutex
	done *bool
}

func newTestLog(t testing.TB) *slog.Logger {
	w := testLogWriter{t: t, mu: new(sync.Mutex), done: new(bool)}
	t.Cleanup(func() { w.mu.Lock(); *w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (w testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !*w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// recvUDP reads one datagram from c within wait, or returns nil.
func recvUDP(c *net.UDPConn, wait time.Duration) ([]byte, netip.AddrPort) {
	buf := make([]byte, 2048)
	_ = c.SetReadDeadline(time.Now().Add(wait))
	n, from, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		return nil, netip.AddrPort{}
	}
	return buf[:n], from
}

// discardLog is a logger that drops everything.
func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
