package turn

import (
	"net/netip"
	"testing"
)

// testPolicy is a gateway with ICE on 10.0.0.5 and fd00::5 at port 8189,
// announced as 203.0.113.7 under NAT 1:1, with 198.51.100.0/24 allowed.
var testPolicy = compilePolicy(Policy{
	ICE:    []netip.Addr{netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("fd00::5")},
	Public: []netip.Addr{netip.MustParseAddr("203.0.113.7")},
	Port:   8189,
	Allow:  []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("::/0")},
})

func TestPermit(t *testing.T) {
	cases := []struct {
		peer string
		want string
	}{
		{"10.0.0.5", ""},
		{"::ffff:10.0.0.5", ""}, // IPv4-mapped: the same socket address
		{"fd00::5", ""},
		{"203.0.113.7", ""},
		{"198.51.100.9", ""},
		{"2001:db8::1", ""},                       // allowed by ::/0
		{"10.0.0.6", refuseNotAllowed},            // a neighbour of the ICE address
		{"127.0.0.1", refuseSpecial},              // loopback
		{"::ffff:127.0.0.1", refuseSpecial},       // mapped loopback (CVE-2020-26262)
		{"127.0.0.2", refuseSpecial},              // all of 127/8
		{"::1", refuseSpecial},                    // allowed by ::/0, still loopback
		{"0.0.0.0", refuseSpecial},                // reaches the host itself
		{"0.1.2.3", refuseSpecial},                // "this network"
		{"::", refuseSpecial},                     //
		{"169.254.169.254", refuseSpecial},        // cloud metadata
		{"::ffff:169.254.169.254", refuseSpecial}, //
		{"169.254.1.1", refuseSpecial},            // link-local
		{"fe80::1", refuseSpecial},                //
		{"224.0.0.1", refuseSpecial},              // multicast
		{"255.255.255.255", refuseSpecial},        // broadcast
		{"ff02::1", refuseSpecial},                //
		{"::127.0.0.1", refuseEmbedded},           // IPv4-compatible
		{"::a00:5", refuseEmbedded},               // IPv4-compatible form of the ICE address
		{"::ffff:0:7f00:1", refuseEmbedded},       // SIIT
		{"64:ff9b::a9fe:a9fe", refuseEmbedded},    // NAT64 of the metadata address
		{"64:ff9b:1::a00:5", refuseEmbedded},      // local-use NAT64
		{"2002:7f00:1::1", refuseEmbedded},        // 6to4 of loopback
		{"2001:0:4136:e378::1", refuseEmbedded},   // Teredo
		{"100::1", refuseSpecial},                 // discard-only
		{"192.168.1.1", refuseNotAllowed},         // private, not allowed
	}
	for _, c := range cases {
		t.Run(c.peer, func(t *testing.T) {
			if got := testPolicy.permit(netip.MustParseAddr(c.peer)); got != c.want {
				t.Errorf("permit(%s) = %q, want %q", c.peer, got, c.want)
			}
		})
	}
	if got := testPolicy.permit(netip.Addr{}); got != refuseInvalid {
		t.Errorf("permit(invalid) = %q", got)
	}
}

func TestRoute(t *testing.T) {
	cases := []struct {
		dst, want, drop string
	}{
		{"10.0.0.5:8189", "10.0.0.5:8189", ""},
		{"[::ffff:10.0.0.5]:8189", "10.0.0.5:8189", ""},
		{"203.0.113.7:8189", "10.0.0.5:8189", ""}, // NAT 1:1: straight to the local socket
		{"[fd00::5]:8189", "[fd00::5]:8189", ""},
		{"198.51.100.9:5000", "198.51.100.9:5000", ""},
		{"10.0.0.5:8080", "", dropPort},  // the HTTP port
		{"10.0.0.5:5004", "", dropPort},  // a camera ingest port
		{"203.0.113.7:22", "", dropPort}, // through the public address
		{"[::ffff:10.0.0.5]:8080", "", dropPort},
		{"127.0.0.1:8189", "", dropPeer},
		{"[::ffff:127.0.0.1]:8189", "", dropPeer},
		{"169.254.169.254:80", "", dropPeer},
		{"[64:ff9b::a00:5]:8189", "", dropPeer},
		{"10.0.0.6:8189", "", dropPeer},
	}
	for _, c := range cases {
		t.Run(c.dst, func(t *testing.T) {
			got, drop := testPolicy.route(netip.MustParseAddrPort(c.dst))
			if drop != c.drop || (c.drop == "" && got != netip.MustParseAddrPort(c.want)) {
				t.Errorf("route(%s) = %v, %q; want %s, %q", c.dst, got, drop, c.want, c.drop)
			}
		})
	}
}

func TestAdmits(t *testing.T) {
	cases := []struct {
		src  string
		want bool
	}{
		{"10.0.0.5:8189", true},
		{"[::ffff:10.0.0.5]:8189", true},
		{"10.0.0.5:8080", false}, // another socket of the gateway
		{"198.51.100.9:4000", true},
		{"127.0.0.1:8189", false},
		{"192.168.1.1:8189", false},
	}
	for _, c := range cases {
		if got := testPolicy.admits(netip.MustParseAddrPort(c.src)); got != c.want {
			t.Errorf("admits(%s) = %v, want %v", c.src, got, c.want)
		}
	}
}

// TestLoopbackICE checks a gateway whose ICE runs on loopback (tests,
// single-host setups): its loopback address is admitted, no other.
func TestLoopbackICE(t *testing.T) {
	p := compilePolicy(Policy{ICE: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Port: 9000})
	for peer, want := range map[string]string{
		"127.0.0.1": "", "::ffff:127.0.0.1": "", "127.0.0.2": refuseSpecial, "::1": refuseSpecial,
	} {
		if got := p.permit(netip.MustParseAddr(peer)); got != want {
			t.Errorf("permit(%s) = %q, want %q", peer, got, want)
		}
	}
	if _, drop := p.route(netip.MustParseAddrPort("127.0.0.1:9001")); drop != dropPort {
		t.Errorf("route to another loopback port: drop %q, want %q", drop, dropPort)
	}
}

// BenchmarkRoute is the policy check every relayed datagram pays.
func BenchmarkRoute(b *testing.B) {
	dst := netip.MustParseAddrPort("203.0.113.7:8189")
	for b.Loop() {
		if _, drop := testPolicy.route(dst); drop != "" {
			b.Fatal(drop)
		}
	}
}
