package relay

import (
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// TestRelayedAddrs: each family's relayed address comes from turn.public_ips,
// else webrtc.public_ips, else the relay bind address, else the first ICE
// address; unspecified addresses never count.
func TestRelayedAddrs(t *testing.T) {
	cases := []struct {
		name                  string
		turnPublic, icePublic []netip.Addr
		bind                  netip.Addr
		ice, want             []netip.Addr
	}{
		{"ice only", nil, nil, netip.Addr{}, addrs("10.0.0.5", "fd00::5"), addrs("10.0.0.5", "fd00::5")},
		{"bind before ice", nil, nil, netip.MustParseAddr("10.0.0.9"), addrs("10.0.0.5"), addrs("10.0.0.9")},
		{"webrtc public first", nil, addrs("203.0.113.7"), netip.MustParseAddr("10.0.0.9"), addrs("10.0.0.5"), addrs("203.0.113.7")},
		{"turn public wins", addrs("198.51.100.1", "2001:db8::1"), addrs("203.0.113.7"), netip.Addr{}, addrs("10.0.0.5"),
			addrs("198.51.100.1", "2001:db8::1")},
		{"unspecified skipped", addrs("0.0.0.0"), nil, netip.MustParseAddr("::"), addrs("::ffff:10.0.0.5"), addrs("10.0.0.5")},
	}
	for _, c := range cases {
		if got := relayedAddrs(c.turnPublic, c.icePublic, c.bind, c.ice); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestOffHandsOutNothing: the service of a gateway with [turn] off is nil,
// and a nil service mints no credentials and closes cleanly.
func TestOffHandsOutNothing(t *testing.T) {
	var s *Service
	if got := s.ICEServers(httptest.NewRequest("POST", "/whep/cam", strings.NewReader("")), "cam"); got != nil {
		t.Errorf("ICEServers of the off service: %v", got)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close of the off service: %v", err)
	}
}
