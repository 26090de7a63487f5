package egress

import (
	"fmt"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// connectAs is connect with a session ID of its own, for several viewers.
func connectAs(t *testing.T, id string, m *Manager, c *client, req ViewerRequest) *Viewer {
	t.Helper()
	req.ID, req.Offer, req.Remote = id, c.offer(t), "127.0.0.1:1"
	v, answer, err := m.NewViewer(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	c.accept(t, answer)
	c.waitConnected(t)
	return v
}

// readIndices reads n packets of a VP8 track and returns their indices.
func readIndices(t *testing.T, ch <-chan *rtp.Packet, n int) ([]uint32, []*rtp.Packet) {
	t.Helper()
	idx := make([]uint32, 0, n)
	pkts := make([]*rtp.Packet, 0, n)
	for range n {
		p := nextPacket(t, ch)
		idx = append(idx, mediaCases[1].index(p.Payload))
		pkts = append(pkts, p)
	}
	return idx, pkts
}

// TestFanOut: three pion viewers on the gateway's UDP socket take the fast
// path: one fan sends the source to all of them, each decrypts every
// packet in order with the keys its own DTLS handshake made; a NACK is
// answered on the fast path; a viewer leaving does not disturb the others,
// and the fan stops with the last. With the fast path disabled the same
// viewer plays through pion.
func TestFanOut(t *testing.T) {
	m, reg := newTestManager(t, nil)
	s, k := newTestStream(&vp8Codec, nil, nil)
	src := &source{track: s.Video, ssrc: 3, step: 3000}
	var clients []*client
	var viewers []*Viewer
	for i := range 3 {
		c := newClient(t, webrtc.RTPCodecTypeVideo)
		viewers = append(viewers, connectAs(t, fmt.Sprintf("v%d", i), m, c, ViewerRequest{Stream: s}))
		clients = append(clients, c)
		k.wait(t)
	}
	if got := metricValue(t, reg, "mediagate_egress_fast_path_total", pathFast, "cam"); got != 3 {
		t.Fatalf("%v viewers on the fast path, want 3", got)
	}
	if got := metricValue(t, reg, "mediagate_egress_fans"); got != 1 {
		t.Fatalf("%v fans, want 1 for one source track", got)
	}
	const n = 40
	for i := range uint32(n) {
		mediaCases[1].write(src, i)
	}
	feeds := make([]<-chan *rtp.Packet, len(clients))
	var first []*rtp.Packet
	for i, c := range clients {
		feeds[i] = readPackets(c.nextTrack(t))
		idx, pkts := readIndices(t, feeds[i], n)
		for j, x := range idx {
			if x != uint32(j) {
				t.Fatalf("viewer %d: packet %d carries index %d", i, j, x)
			}
		}
		first = append(first, pkts[5])
	}

	// A NACK of viewer 0's sixth packet brings it again, on the fast path.
	tr := clients[0].pc.GetReceivers()[0].Track()
	if err := clients[0].pc.WriteRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{
		MediaSSRC: uint32(tr.SSRC()), Nacks: []rtcp.NackPair{{PacketID: first[0].SequenceNumber}},
	}}); err != nil {
		t.Fatal(err)
	}
	again := nextPacket(t, feeds[0])
	if again.SequenceNumber != first[0].SequenceNumber || mediaCases[1].index(again.Payload) != 5 {
		t.Fatalf("retransmission seq %d index %d, want seq %d index 5",
			again.SequenceNumber, mediaCases[1].index(again.Payload), first[0].SequenceNumber)
	}

	viewers[1].Close()
	for i := range uint32(10) {
		mediaCases[1].write(src, n+i)
	}
	for _, i := range []int{0, 2} {
		idx, _ := readIndices(t, feeds[i], 10)
		if idx[0] != n || idx[9] != n+9 {
			t.Fatalf("viewer %d after another left: indices %v", i, idx)
		}
	}
	viewers[0].Close()
	viewers[2].Close()
	waitUntil(t, func() bool { return metricValue(t, reg, "mediagate_egress_fans") == 0 }, "the fan to stop")
}

// TestFastPathDisabled: Config.DisableFastPath keeps viewers on pion's
// path, and says so.
func TestFastPathDisabled(t *testing.T) {
	m, reg := newTestManager(t, func(c *Config) { c.DisableFastPath = true })
	s, k := newTestStream(&vp8Codec, nil, nil)
	c := newClient(t, webrtc.RTPCodecTypeVideo)
	connect(t, m, s, k, c)
	src := &source{track: s.Video, ssrc: 3, step: 3000}
	for i := range uint32(5) {
		mediaCases[1].write(src, i)
	}
	idx, _ := readIndices(t, readPackets(c.nextTrack(t)), 5)
	if idx[4] != 4 {
		t.Fatalf("indices %v", idx)
	}
	if got := metricValue(t, reg, "mediagate_egress_fast_path_total", pathDisabled, "cam"); got != 1 {
		t.Fatalf("fast_path_total{result=disabled} = %v, want 1", got)
	}
	if got := metricValue(t, reg, "mediagate_egress_fans"); got != 0 {
		t.Fatalf("%v fans with the fast path disabled", got)
	}
}
