package turn

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// TestRelayRoundTrip relays both ways over each client transport, through
// a channel and through Send and Data indications.
func TestRelayRoundTrip(t *testing.T) {
	r := newRig(t, nil)
	for _, transport := range []string{"udp", "tcp", "tls"} {
		t.Run(transport, func(t *testing.T) {
			c, relay := r.allocate(t, transport, "viewer-"+transport)
			if got := r.metric(t, "mediagate_turn_allocations", map[string]string{"transport": transport}); got != 1 {
				t.Errorf("%s allocations: %v, want 1", transport, got)
			}
			if relay.Addr() != netip.MustParseAddr("127.0.0.1") {
				t.Errorf("relayed address %v, want 127.0.0.1", relay)
			}
			if err := c.CreatePermission(r.iceAddr()); err != nil {
				t.Fatalf("CreatePermission to the ICE socket: %v", err)
			}
			// Send indication → ICE socket → Data indication back.
			want := []byte("stun check " + transport)
			if err := c.Send(r.iceAddr(), want); err != nil {
				t.Fatal(err)
			}
			got, from := recvUDP(r.ice, 2*time.Second)
			if !bytes.Equal(got, want) || from != relay {
				t.Fatalf("ICE socket got %q from %v, want %q from %v", got, from, want, relay)
			}
			if _, err := r.ice.WriteToUDPAddrPort([]byte("answer"), from); err != nil {
				t.Fatal(err)
			}
			d, err := c.Recv(2 * time.Second)
			if err != nil || string(d.Payload) != "answer" || d.Peer != r.iceAddr().String() {
				t.Fatalf("client got %+v, %v; want answer from %v", d, err, r.iceAddr())
			}
			// Channel both ways.
			const ch = 0x4001
			if err := c.ChannelBind(ch, r.iceAddr()); err != nil {
				t.Fatalf("ChannelBind to the ICE socket: %v", err)
			}
			for i := range 3 {
				payload := fmt.Appendf(nil, "media %d", i)
				if err := c.SendChannel(ch, payload); err != nil {
					t.Fatal(err)
				}
				if got, _ := recvUDP(r.ice, 2*time.Second); !bytes.Equal(got, payload) {
					t.Fatalf("ICE socket got %q, want %q", got, payload)
				}
				if _, err := r.ice.WriteToUDPAddrPort(payload, relay); err != nil {
					t.Fatal(err)
				}
				if d, err := c.Recv(2 * time.Second); err != nil || d.Channel != ch || !bytes.Equal(d.Payload, payload) {
					t.Fatalf("client got %+v, %v; want %q on channel %#x", d, err, payload, ch)
				}
			}
		})
	}
	r.waitMetric(t, "mediagate_turn_relayed_packets_total", map[string]string{"direction": "to_peer"}, 12)
	r.waitMetric(t, "mediagate_turn_relayed_packets_total", map[string]string{"direction": "to_client"}, 12)
}
