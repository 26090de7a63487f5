package gateway

import (
	"fmt"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// sendREMB writes a REMB of bps from c's viewer, naming the video SSRC it
// receives (pion hands RTCP to the sender whose SSRC it names).
func (c *whepClient) sendREMB(t *testing.T, bps float32) {
	t.Helper()
	var ssrcs []uint32
	for _, r := range c.pc.GetReceivers() {
		if tr := r.Track(); tr != nil && tr.Kind().String() == "video" {
			ssrcs = append(ssrcs, uint32(tr.SSRC()))
		}
	}
	if len(ssrcs) == 0 {
		t.Fatal("no video track to send REMB for")
	}
	if err := c.pc.WriteRTCP([]rtcp.Packet{&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: bps, SSRCs: ssrcs}}); err != nil {
		t.Fatalf("write REMB: %v", err)
	}
}

// TestViewersREMB drives the viewers' side of REMB with two pion viewers of
// one passthrough stream: the demand on the sender is the lower of their
// REMB; a viewer whose REMB falls below the stream's floor holds the demand
// at the floor and alone is thinned to key frames, while the other keeps
// every frame; when it leaves, the demand rises (smoothly) to the other's.
func TestViewersREMB(t *testing.T) {
	port := freePort(t, "udp")
	gw := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
  [stream.remb]
  min_bitrate = 300
  max_bitrate = 5000
`, port)))
	startCamera(t, "127.0.0.1:0", port, nil)
	waitUntil(t, 5*time.Second, "stream up", func() bool { st := gw.Hub().Get("cam"); return st != nil && st.Up() })
	fast, slow := dialWHEPOnly(t, gw.URL, "cam", offerVP8), dialWHEPOnly(t, gw.URL, "cam", offerVP8)
	fast.waitPayloads(t, "video", 20, 10*time.Second)
	slow.waitPayloads(t, "video", 20, 10*time.Second)
	demand := func() int { bps, _ := gw.remb.ViewerDemand("cam"); return bps }

	fast.sendREMB(t, 2_000_000)
	slow.sendREMB(t, 1_000_000)
	waitUntil(t, 5*time.Second, "demand at the slower viewer's 1 Mbit/s", func() bool { return demand() == 1_000_000 })

	slow.sendREMB(t, 100_000) // below the 300 kbit/s floor
	waitUntil(t, 5*time.Second, "demand held at the floor", func() bool { return demand() == 300_000 })
	thinned := func() float64 {
		return metricValue(t, gw.Gateway, "mediagate_egress_thinned_packets_total", map[string]string{"stream": "cam"})
	}
	waitUntil(t, 5*time.Second, "the slow viewer thinned", func() bool { return thinned() > 0 })
	f0, s0 := fast.count("video"), slow.count("video")
	time.Sleep(time.Second)
	f1, s1 := fast.count("video"), slow.count("video")
	t.Logf("in one second: fast viewer %d packets, thinned viewer %d", f1-f0, s1-s0)
	if f1-f0 < 100 || s1-s0 > 10 {
		t.Errorf("fast viewer got %d packets (want ≥100 of 200), thinned viewer %d (want key frames only, ≤10)", f1-f0, s1-s0)
	}

	slow.sendREMB(t, 800_000) // back above the floor: every frame again
	waitUntil(t, 8*time.Second, "demand rising (smoothed) to 800 kbit/s", func() bool {
		fast.sendREMB(t, 2_000_000) // refreshed, as browsers do every second: reports expire after 3 s
		slow.sendREMB(t, 800_000)
		return demand() > 780_000
	})
	s0 = slow.count("video")
	time.Sleep(time.Second)
	if got := slow.count("video") - s0; got < 100 {
		t.Errorf("viewer back above the floor got %d packets in a second, want ≥100", got)
	}

	slow.leave(t, gw.URL)
	fast.sendREMB(t, 2_000_000)
	waitUntil(t, 8*time.Second, "demand rising to the remaining viewer's 2 Mbit/s", func() bool {
		fast.sendREMB(t, 2_000_000)
		return demand() > 1_800_000
	})
}
