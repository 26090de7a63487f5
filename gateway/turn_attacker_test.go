package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"mediagate.dev/mediagate/turn/turntest"
)

// attacker holds valid TURN credentials from the gateway's Link headers and
// counts what the gateway must have counted.
type attacker struct {
	gw         *runningGateway
	user, pass string
	refusals   float64 // requests the peer policy itself refused
	wrongPort  float64 // datagrams sent to a gateway port other than ICE
}

func newAttacker(t *testing.T, gw *runningGateway, links []iceLink) *attacker {
	t.Helper()
	if len(links) == 0 {
		t.Fatal("the gateway handed out no TURN credentials")
	}
	return &attacker{gw: gw, user: links[0].Username, pass: links[0].Credential}
}

// allocate dials the TURN server at server over network and allocates.
func (a *attacker) allocate(t *testing.T, network, server string) *turntest.Client {
	t.Helper()
	c, err := turntest.Dial(network, net.JoinHostPort(server, strconv.Itoa(nsTURNPort)), nil)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, server, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Allocate(a.user, a.pass); err != nil {
		t.Fatalf("allocate over %s at %s: %v", network, server, err)
	}
	return c
}

// refusedPermissions asks for a permission and a channel toward each peer,
// and sends toward it anyway: every request must fail, with 443 (wrong
// address family, before the policy) or the policy's 403 (RFC 8656
// §10.2, §12.2).
func (a *attacker) refusedPermissions(t *testing.T, network, server string, peers []string) {
	t.Helper()
	c := a.allocate(t, network, server)
	for i, peer := range peers {
		p := netip.AddrPortFrom(netip.MustParseAddr(peer), nsTargetPort)
		ch := uint16(0x4000 + i)
		perm := c.CreatePermission(p)
		bind := c.ChannelBind(ch, p)
		for what, err := range map[string]error{"CreatePermission": perm, "ChannelBind": bind} {
			code := turnCode(err)
			switch {
			case err == nil:
				t.Errorf("%s toward %s (allocation at %s) was granted", what, peer, server)
			case code == 443:
			case code == 403:
				a.refusals++
			default:
				t.Errorf("%s toward %s: %v", what, peer, err)
			}
		}
		_ = c.Send(p, []byte("to "+peer))
		_ = c.SendChannel(ch, []byte("channel to "+peer))
	}
}

// wrongPorts gets a permission toward the gateway's own ICE address, which
// the policy grants, and sends through it to the gateway's other ports, by
// Send indication and by channel, plus one datagram to the ICE port itself
// that must be relayed.
func (a *attacker) wrongPorts(t *testing.T, network, server string) {
	t.Helper()
	c := a.allocate(t, network, server)
	ice := netip.MustParseAddr(server)
	if err := c.CreatePermission(netip.AddrPortFrom(ice, nsICEPort)); err != nil {
		t.Fatalf("CreatePermission toward the gateway's ICE address %s: %v", server, err)
	}
	targets := []netip.AddrPort{
		netip.AddrPortFrom(ice, nsHTTPPort), netip.AddrPortFrom(ice, nsIngestPort),
		netip.AddrPortFrom(ice, nsTargetPort), netip.AddrPortFrom(ice, nsTURNPort),
	}
	if ice.Is4() {
		// The IPv4-mapped form, at a port not bound to a channel yet (pion
		// takes both forms for one peer).
		targets = append(targets, netip.AddrPortFrom(netip.AddrFrom16(ice.As16()), 22))
	}
	for i, dst := range targets {
		if err := c.Send(dst, []byte(fmt.Sprintf("send to %v", dst))); err != nil {
			t.Fatal(err)
		}
		ch := uint16(0x4100 + i)
		if err := c.ChannelBind(ch, dst); err != nil {
			t.Fatalf("ChannelBind toward %v (an ICE address): %v", dst, err)
		}
		if err := c.SendChannel(ch, []byte(fmt.Sprintf("channel to %v", dst))); err != nil {
			t.Fatal(err)
		}
		a.wrongPort += 2
	}
	before := metricValue(t, a.gw.Gateway, "mediagate_turn_relayed_packets_total", map[string]string{"direction": "to_peer"})
	if err := c.Send(netip.AddrPortFrom(ice, nsICEPort), []byte("to the ICE socket")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the datagram to the ICE port to be relayed", func() bool {
		return metricValue(t, a.gw.Gateway, "mediagate_turn_relayed_packets_total", map[string]string{"direction": "to_peer"}) > before
	})
}

// checkCounted checks the gateway's TURN counters against the attacks.
func (a *attacker) checkCounted(t *testing.T) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%v datagrams to other ports counted as dropped", a.wrongPort), func() bool {
		return metricValue(t, a.gw.Gateway, "mediagate_turn_relay_dropped_total", map[string]string{"reason": "port"}) == a.wrongPort
	})
	if got := metricSum(t, a.gw.Gateway, "mediagate_turn_permissions_refused_total"); got != a.refusals {
		t.Errorf("%v refused permissions counted, want %v", got, a.refusals)
	}
}

// turnCode returns a STUN error response's code, or 0.
func turnCode(err error) int {
	var ec *turntest.ErrorCode
	if errors.As(err, &ec) {
		return ec.Code
	}
	return 0
}

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
