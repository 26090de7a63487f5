package gateway

import (
	"testing"
	"time"
)

// TestTranscodedViewerFarBelow: two VP8-only viewers of an H.264 stream
// share one transcoder; one of them sends REMB 1 kbit/s. The shared
// encoder stays at the other viewer's 1.5 Mbit/s and the slow viewer alone
// is thinned to key frames; after it leaves, the encoder is still there.
func TestTranscodedViewerFarBelow(t *testing.T) {
	needTranscoding(t)
	gw := startGateway(t, testConfig(t, `
[[stream]]
name = "demo"
source = "testpattern"
  [stream.video]
  codec = "h264"
  [stream.transcode]
  min_bitrate = 150
  max_bitrate = 4000
`))
	fast, slow := dialWHEPOnly(t, gw.URL, "demo", offerVP8), dialWHEPOnly(t, gw.URL, "demo", offerVP8)
	fast.waitPayloads(t, "video", 30, 20*time.Second)
	slow.waitPayloads(t, "video", 30, 20*time.Second)
	encoder := func() float64 {
		return metricValue(t, gw.Gateway, "mediagate_transcoder_bitrate_bps",
			map[string]string{"stream": "demo", "from": "h264", "to": "vp8"})
	}
	thinned := func() float64 {
		return metricValue(t, gw.Gateway, "mediagate_egress_thinned_packets_total", map[string]string{"stream": "demo"})
	}
	waitUntil(t, 10*time.Second, "the encoder at 1.5 Mbit/s", func() bool {
		fast.sendREMB(t, 1_500_000)
		slow.sendREMB(t, 1_500_000)
		time.Sleep(200 * time.Millisecond)
		return encoder() > 1_400_000
	})

	lowest := encoder()
	for range 10 { // 5 s, reports every half second
		fast.sendREMB(t, 1_500_000)
		slow.sendREMB(t, 1_000)
		time.Sleep(500 * time.Millisecond)
		lowest = min(lowest, encoder())
	}
	t.Logf("encoder while one viewer reported 1 kbit/s: lowest %.0f bit/s; thinned packets %.0f", lowest, thinned())
	if lowest < 1_400_000 {
		t.Errorf("the encoder fell to %.0f bit/s for everyone, want it held at the other viewer's 1.5 Mbit/s", lowest)
	}
	if thinned() == 0 {
		t.Error("the 1 kbit/s viewer was not thinned to key frames")
	}

	slow.leave(t, gw.URL)
	for range 4 {
		fast.sendREMB(t, 1_500_000)
		time.Sleep(500 * time.Millisecond)
		lowest = min(lowest, encoder())
	}
	if lowest < 1_400_000 {
		t.Errorf("the encoder fell to %.0f bit/s after the slow viewer left, want 1.5 Mbit/s", lowest)
	}
}
