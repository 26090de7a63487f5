package turn

import (
	"bytes"
	"testing"
	"time"
)

// oversize is larger than any read buffer of the server (pion reads 1600
// bytes at most), so it arrives truncated.
const oversize = 2000

// TestTruncatedDropped checks, on the fast path (a bound channel) and on
// pion's (a permission, Data indications), that a datagram larger than the
// read buffer is dropped and counted in both directions, never relayed
// short, and that what follows it still goes through.
func TestTruncatedDropped(t *testing.T) {
	for _, bind := range []bool{true, false} {
		name := map[bool]string{true: "channel", false: "permission"}[bind]
		t.Run(name, func(t *testing.T) {
			r := newRig(t, nil)
			c, relay := r.allocate(t, "udp", name)
			const ch = 0x4001
			var err error
			if bind {
				err = c.ChannelBind(ch, r.iceAddr())
			} else {
				err = c.CreatePermission(r.iceAddr())
			}
			if err != nil {
				t.Fatal(err)
			}
			small := []byte("after the oversized one")

			// Peer → client.
			for _, p := range [][]byte{make([]byte, oversize), small} {
				if _, err := r.ice.WriteToUDPAddrPort(p, relay); err != nil {
					t.Fatal(err)
				}
			}
			if d, err := c.Recv(2 * time.Second); err != nil || !bytes.Equal(d.Payload, small) {
				t.Fatalf("client got %d bytes (%v), want the %d after the oversized datagram", len(d.Payload), err, len(small))
			}
			r.waitMetric(t, "mediagate_turn_relay_dropped_total", map[string]string{"reason": "truncated"}, 1)

			// Client → peer, through the listening socket.
			if !bind {
				return
			}
			if err := c.SendChannel(ch, make([]byte, oversize)); err != nil {
				t.Fatal(err)
			}
			if err := c.SendChannel(ch, small); err != nil {
				t.Fatal(err)
			}
			if got, _ := recvUDP(r.ice, 2*time.Second); !bytes.Equal(got, small) {
				t.Fatalf("ICE socket got %d bytes, want the %d after the oversized datagram", len(got), len(small))
			}
			r.waitMetric(t, "mediagate_turn_request_errors_total", nil, 1)
		})
	}
}

// TestBurstRelayedAndCounted sends bursts both ways over a bound channel,
// so that the relay reads and writes them in batches, and checks every
// datagram arrives whole and in order and the metrics count exactly them.
func TestBurstRelayedAndCounted(t *testing.T) {
	const n, size = 64, 900
	r := newRig(t, nil)
	c, relay := r.allocate(t, "udp", "burst")
	const ch = 0x4002
	if err := c.ChannelBind(ch, r.iceAddr()); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := c.SendChannel(ch, pattern(i, size)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if got, _ := recvUDP(r.ice, 2*time.Second); !bytes.Equal(got, pattern(i, size)) {
			t.Fatalf("to peer: datagram %d of %d wrong or missing (%d bytes)", i, n, len(got))
		}
	}
	for i := range n {
		if _, err := r.ice.WriteToUDPAddrPort(pattern(i, size+i%4), relay); err != nil {
			t.Fatal(err)
		}
	}
	wantBytes := 0
	for i := range n {
		wantBytes += size + i%4
		d, err := c.Recv(2 * time.Second)
		if err != nil || d.Channel != ch || !bytes.Equal(d.Payload, pattern(i, size+i%4)) {
			t.Fatalf("to client: datagram %d of %d wrong or missing: %v", i, n, err)
		}
	}
	for _, m := range []struct {
		name, dir string
		want      float64
	}{
		{"mediagate_turn_relayed_packets_total", dirToPeer, n},
		{"mediagate_turn_relayed_bytes_total", dirToPeer, n * size},
		{"mediagate_turn_relayed_packets_total", dirToClient, n},
		{"mediagate_turn_relayed_bytes_total", dirToClient, float64(wantBytes)},
	} {
		r.waitMetric(t, m.name, map[string]string{"direction": m.dir}, m.want)
	}
}
