package egress

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/internal/looptest"
)

func TestAddressRewriteRules(t *testing.T) {
	cases := []struct {
		in    []string
		rules int
		bad   bool
	}{
		{[]string{"192.0.2.1"}, 1, false},
		{[]string{"192.0.2.1", "2001:db8::1"}, 1, false},
		{[]string{"192.0.2.1/10.0.0.5", "192.0.2.2"}, 2, false},
		{[]string{"example.com"}, 0, true},
		{[]string{"192.0.2.1/nope"}, 0, true},
	}
	for _, c := range cases {
		rules, err := addressRewriteRules(c.in)
		if (err != nil) != c.bad || len(rules) != c.rules {
			t.Errorf("%v: %d rules, err %v", c.in, len(rules), err)
		}
	}
}

func TestBindUDPOnePort(t *testing.T) {
	addrs, err := localAddrs([]string{"lo"}, true)
	if err != nil {
		t.Fatal(err)
	}
	conns, err := bindUDP(addrs, 0)
	if err != nil {
		t.Fatal(err)
	}
	port := conns[0].LocalAddr().(*net.UDPAddr).Port
	for _, c := range conns {
		if got := c.LocalAddr().(*net.UDPAddr).Port; got != port {
			t.Errorf("%v on another port than %d", c.LocalAddr(), port)
		}
		_ = c.Close()
	}
	_, err = localAddrs([]string{"lo"}, false)
	if err == nil || !strings.Contains(err.Error(), "include_loopback = true") {
		t.Fatalf("loopback-only interface without IncludeLoopback: %v, want an error naming include_loopback", err)
	}
}

// TestICETCPBindsListedInterfaces: with Interfaces = ["lo"] the ICE-TCP
// port is bound on lo's addresses only, as the UDP port is, not on every
// address: another loopback address can still take the port.
func TestICETCPBindsListedInterfaces(t *testing.T) {
	tcpPort := freeTCPPort(t)
	newTestManager(t, func(c *Config) { c.TCPPort = tcpPort })
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.2", strconv.Itoa(tcpPort)))
	if err != nil {
		t.Fatalf("ICE-TCP holds port %d beyond lo's 127.0.0.1: %v", tcpPort, err)
	}
	_ = ln.Close()
	if c, err := net.Dial("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(tcpPort))); err != nil {
		t.Fatalf("ICE-TCP not listening on 127.0.0.1: %v", err)
	} else {
		_ = c.Close()
	}
}

// freeTCPPort finds a loopback TCP port nobody listens on.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestAnnouncedCandidates checks the answer's candidates: ICE-TCP passive
// candidates on the TCP port, and public addresses replacing local ones.
func TestAnnouncedCandidates(t *testing.T) {
	tcpPort := freeTCPPort(t)
	m, _ := newTestManager(t, func(c *Config) {
		c.TCPPort = tcpPort
		c.PublicIPs = []string{"192.0.2.1"}
	})
	s, _ := newTestStream(&h264Codec, nil, nil)
	v, answer, err := m.NewViewer(t.Context(), ViewerRequest{ID: "a", Stream: s, Offer: videoOnly()})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	_, _, cands := iceFragment(t, answer)
	var udp4, tcp bool
	for _, c := range cands {
		f := strings.Fields(c)
		switch {
		case f[2] == "udp" && f[4] == "192.0.2.1":
			udp4 = true
		case f[2] == "udp" && f[4] == "127.0.0.1":
			t.Errorf("local address announced: %s", c)
		case f[2] == "tcp" && strings.Contains(c, "tcptype passive") && f[5] == strconv.Itoa(tcpPort):
			tcp = true
		}
	}
	if !udp4 || !tcp {
		t.Fatalf("candidates %v", cands)
	}
}

// TestICETCP connects a client that may only use TCP: media flows over the
// passive ICE-TCP listener (RFC 6544).
func TestICETCP(t *testing.T) {
	tcpPort := freeTCPPort(t)
	m, reg := newTestManager(t, func(c *Config) { c.TCPPort = tcpPort })
	s, k := newTestStream(&vp8Codec, nil, nil)

	se := looptest.SettingEngine(webrtc.NetworkTypeTCP4)
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	cl := newClientWithAPI(t, api, webrtc.RTPCodecTypeVideo)
	connect(t, m, s, k, cl)
	src := &source{track: s.Video, ssrc: 3, step: 3000}
	mediaCases[1].write(src, 0)
	p := nextPacket(t, readPackets(cl.nextTrack(t)))
	if mediaCases[1].index(p.Payload) != 0 {
		t.Fatalf("payload % x", p.Payload)
	}
	pair, err := cl.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil || pair.Local.Protocol != webrtc.ICEProtocolTCP {
		t.Fatalf("selected pair %v (%v)", pair, err)
	}
	if got := metricValue(t, reg, "mediagate_egress_fast_path_total", pathTCP, "cam"); got != 1 {
		t.Fatalf("fast_path_total{result=tcp} = %v, want 1: an ICE-TCP viewer keeps pion's path", got)
	}
}
