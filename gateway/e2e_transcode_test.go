package gateway

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/transcoder/codecs"
)

func needTranscoding(t *testing.T) {
	t.Helper()
	if !codecs.Default().Available {
		t.Skip("built without cgo: no transcoding")
	}
}

// TestTranscodingSharedAndStopped plays the in-process test pattern
// (H.264) to two VP8-only viewers and one that takes H.264: the two share
// one transcoder, the third stays on passthrough, and once the two leave,
// transcoding.inactive arrives over SSE and the encoder is gone.
func TestTranscodingSharedAndStopped(t *testing.T) {
	needTranscoding(t)
	gw := startGateway(t, testConfig(t, `
[[stream]]
name = "demo"
source = "testpattern"
  [stream.video]
  codec = "h264"
  [stream.transcode]
  grace_period = "300ms"
`))
	events := sseEvents(t, gw.URL)
	a := dialWHEPOnly(t, gw.URL, "demo", offerVP8)
	b := dialWHEPOnly(t, gw.URL, "demo", offerVP8)
	direct := dialWHEP(t, gw.URL, "demo", "", webrtc.RTPCodecTypeVideo)
	for _, c := range []*whepClient{a, b, direct} {
		c.waitPayloads(t, "video", 60, 20*time.Second)
	}
	if a.codec("video") != webrtc.MimeTypeVP8 || b.codec("video") != webrtc.MimeTypeVP8 {
		t.Errorf("restricted viewers receive %s and %s, want VP8", a.codec("video"), b.codec("video"))
	}
	if got := direct.codec("video"); got != webrtc.MimeTypeH264 {
		t.Errorf("the third viewer receives %s, want H.264 passed through", got)
	}
	e := waitEvent(t, events, event.TranscodingActive, "demo", 5*time.Second, transcodesTo("video/VP8"))
	if e.Data["from"] != "video/H264" || e.Data["reason"] == "" {
		t.Errorf("transcoding.active %+v", e)
	}
	if n := transcoders(t, gw.Gateway, "demo", "h264", "vp8"); n != 1 {
		t.Fatalf("%v H.264 → VP8 transcoders running, want exactly 1", n)
	}
	if rs := apiRenditions(t, gw.URL, "demo"); len(rs) != 1 || rs[0].Codec != "video/VP8" || rs[0].Viewers != 2 {
		t.Errorf("API renditions %+v, want one VP8 rendition with 2 viewers", rs)
	}
	forced := metricValue(t, gw.Gateway, "mediagate_transcoder_keyframes_forced_total", map[string]string{"stream": "demo", "to": "vp8"})
	if forced < 1 {
		t.Errorf("%v keyframes forced for joining viewers, want at least 1", forced)
	}
	a.leave(t, gw.URL)
	if n := transcoders(t, gw.Gateway, "demo", "h264", "vp8"); n != 1 {
		t.Fatalf("%v transcoders after one of two viewers left, want 1", n)
	}
	b.leave(t, gw.URL)
	e = waitEvent(t, events, event.TranscodingInactive, "demo", 10*time.Second, transcodesTo("video/VP8"))
	if e.Data["reason"] != "no viewers" {
		t.Errorf("transcoding.inactive %+v, want reason \"no viewers\"", e)
	}
	if n := transcoders(t, gw.Gateway, "demo", "h264", "vp8"); n != 0 {
		t.Errorf("%v transcoders after the last transcoded viewer left, want 0", n)
	}
	if st := gw.Hub().Get("demo"); len(st.Renditions()) != 0 {
		t.Errorf("renditions left: %v", st.Renditions())
	}
	before := direct.count("video")
	direct.waitPayloads(t, "video", before+30, 10*time.Second)
}

// TestAACCameraToOpus has ffmpeg send AAC (RFC 3640, as IP cameras do) and
// a viewer get it as Opus.
func TestAACCameraToOpus(t *testing.T) {
	needTranscoding(t)
	port := freePort(t, "udp")
	gw := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "mic"
listen = "127.0.0.1:%d"
  [stream.audio]
  codec = "aac"
  payload_type = 97
  clock_rate = 48000
  channels = 2
`, port)))
	startPeer(t, "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-ac", "2",
		"-c:a", "aac", "-b:a", "96k", "-f", "rtp", "-payload_type", "97",
		fmt.Sprintf("rtp://127.0.0.1:%d?rtcpport=%d&pkt_size=1200", port, port))
	events := sseEvents(t, gw.URL)
	v := dialWHEPOnly(t, gw.URL, "mic", offerOpus)
	v.waitPayloads(t, "audio", 100, 20*time.Second)
	if got := v.codec("audio"); !strings.EqualFold(got, webrtc.MimeTypeOpus) {
		t.Errorf("viewer receives %s, want Opus", got)
	}
	waitEvent(t, events, event.TranscodingActive, "mic", 5*time.Second, transcodesTo("audio/opus"))
	if n := transcoders(t, gw.Gateway, "mic", "aac", "opus"); n != 1 {
		t.Errorf("%v AAC → Opus transcoders, want 1", n)
	}
}

// TestBFramesGetBaseline has GStreamer send main-profile H.264 with
// B-frames: a viewer that takes H.264 gets the constrained-baseline
// rendition instead of the source.
func TestBFramesGetBaseline(t *testing.T) {
	needTranscoding(t)
	port := freePort(t, "udp")
	gw := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "bcam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "h264"
  profile_level_id = "4d001f"
`, port)))
	startPeer(t, "gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball",
		"!", "video/x-raw,width=320,height=240,framerate=30/1", "!", "videoconvert",
		"!", "x264enc", "speed-preset=ultrafast", "bframes=2", "b-adapt=false", "key-int-max=30", "bitrate=500",
		"!", "video/x-h264,profile=main", "!", "rtph264pay", "pt=96", "config-interval=-1", "mtu=1200",
		"!", "udpsink", "host=127.0.0.1", fmt.Sprintf("port=%d", port), "sync=false")
	events := sseEvents(t, gw.URL)
	waitUntil(t, 10*time.Second, "bcam up", func() bool { return gw.Hub().Get("bcam").Up() })
	v := dialWHEPOnly(t, gw.URL, "bcam", offerH264)
	v.waitPayloads(t, "video", 30, 20*time.Second)
	e := waitEvent(t, events, event.TranscodingActive, "bcam", 5*time.Second, transcodesTo("video/H264"))
	if e.Data["reason"] != "source sends B-frames" {
		t.Errorf("transcoding.active %+v, want the B-frames reason", e)
	}
	if n := transcoders(t, gw.Gateway, "bcam", "h264", "h264"); n != 1 {
		t.Errorf("%v H.264 → H.264 transcoders, want 1", n)
	}
}
