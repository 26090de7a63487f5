package turn

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

// TestChannelFastPath checks that a UDP client's channel is mirrored into
// the fast path when bound, carries data both ways through the policy, and
// is forgotten with its allocation; a TCP client's channel stays with pion.
func TestChannelFastPath(t *testing.T) {
	r := newRig(t, nil)
	c, relay := r.allocate(t, "udp", "fast")
	const ch = 0x4abc
	if err := c.ChannelBind(ch, r.iceAddr()); err != nil {
		t.Fatal(err)
	}
	rc := relayOf(r.srv.fast, relay)
	if rc == nil {
		t.Fatalf("relay %v not registered", relay)
	}
	fwd, ok := rc.channels.get(r.iceAddr())
	if !ok || fwd.ch != ch || fwd.client != c.LocalAddr().(interface{ AddrPort() netip.AddrPort }).AddrPort() {
		t.Fatalf("channel not mirrored: %+v", fwd)
	}
	// Odd lengths exercise the padding (RFC 8656 §12.5).
	for _, payload := range [][]byte{[]byte("a"), []byte("abcde"), bytes.Repeat([]byte{7}, 1200)} {
		if err := c.SendChannel(ch, payload); err != nil {
			t.Fatal(err)
		}
		if got, _ := recvUDP(r.ice, 2*time.Second); !bytes.Equal(got, payload) {
			t.Fatalf("ICE socket got %d bytes, want %d", len(got), len(payload))
		}
		if _, err := r.ice.WriteToUDPAddrPort(payload, relay); err != nil {
			t.Fatal(err)
		}
		if d, err := c.Recv(2 * time.Second); err != nil || d.Channel != ch || !bytes.Equal(d.Payload, payload) {
			t.Fatalf("client got %+v, %v", d, err)
		}
	}
	// A channel bound to another port of the ICE address is mirrored too,
	// and the policy still drops what goes through it.
	other := netip.AddrPortFrom(r.iceAddr().Addr(), r.iceAddr().Port()+1)
	if err := c.ChannelBind(ch+1, other); err != nil {
		t.Fatal(err)
	}
	if err := c.SendChannel(ch+1, []byte("to another port")); err != nil {
		t.Fatal(err)
	}
	r.waitMetric(t, "mediagate_turn_relay_dropped_total", map[string]string{"reason": "port"}, 1)

	if err := c.Refresh(0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		r.srv.fast.mu.Lock()
		n := len(r.srv.fast.relays)
		r.srv.fast.mu.Unlock()
		_, bound := rc.channels.get(r.iceAddr())
		if n == 0 && !bound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the allocation ended: %d relays registered, channel still mirrored: %v", n, bound)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, g := range r.srv.fast.guards {
		if m := g.channels.m.Load(); m != nil && len(*m) != 0 {
			t.Errorf("a listening socket still holds %d channels", len(*m))
		}
	}

	tc, tcpRelay := r.allocate(t, "tcp", "slow")
	if err := tc.ChannelBind(ch, r.iceAddr()); err != nil {
		t.Fatal(err)
	}
	if _, ok := relayOf(r.srv.fast, tcpRelay).channels.get(r.iceAddr()); ok {
		t.Error("a TCP client's channel was mirrored into the UDP fast path")
	}
}

// relayOf returns the registered relay socket of a relayed address.
func relayOf(f *fastPath, relayed netip.AddrPort) *relayConn {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.relays[relayed]
}
