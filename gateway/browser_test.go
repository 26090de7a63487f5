package gateway

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts headless Debian chromium for one test, with WebRTC kept
// on loopback, and returns its tab's context. extra adds flags, such as
// chromedp.Flag("ignore-certificate-errors", true) for a test's own
// certificate.
func newBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is required (make test installs it): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns,Translate"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	return ctx
}

// videoStats is what the browser's getStats says about the received video.
type videoStats struct {
	FramesDecoded int    `json:"framesDecoded"`
	FrameWidth    int    `json:"frameWidth"`
	FrameHeight   int    `json:"frameHeight"`
	Codec         string `json:"codec"`
	// What a failure message needs to say where the picture stopped.
	Packets   int    `json:"packetsReceived"`
	Keyframes int    `json:"keyFramesDecoded"`
	PLIs      int    `json:"pliCount"`
	NACKs     int    `json:"nackCount"`
	State     string `json:"state"`
}

// statsJS reads the inbound video stats of the player page's peer connection.
const statsJS = `(async () => {
  const p = window.mediagatePlayer;
  if (!p || !p.pc) return {framesDecoded: 0, frameWidth: 0, frameHeight: 0, codec: ""};
  const r = await p.pc.getStats();
  let v = null, codecs = {};
  r.forEach(s => {
    if (s.type === "codec") codecs[s.id] = s.mimeType;
    if (s.type === "inbound-rtp" && s.kind === "video") v = s;
  });
  if (!v) return {framesDecoded: 0, frameWidth: 0, frameHeight: 0, codec: "", state: p.pc.connectionState};
  return {framesDecoded: v.framesDecoded || 0, frameWidth: v.frameWidth || 0,
          frameHeight: v.frameHeight || 0, codec: codecs[v.codecId] || "",
          packetsReceived: v.packetsReceived || 0, keyFramesDecoded: v.keyFramesDecoded || 0,
          pliCount: v.pliCount || 0, nackCount: v.nackCount || 0, state: p.pc.connectionState};
})()`

// waitFrames polls the page until more than frames video frames were decoded.
func waitFrames(ctx context.Context, t testing.TB, frames int, timeout time.Duration) videoStats {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last videoStats
	for time.Now().Before(deadline) {
		st, err := chromedp.Run(ctx, chromedp.Evaluate[videoStats](statsJS, chromedp.EvalAwaitPromise))
		if err == nil {
			last = st
			if st.FramesDecoded > frames {
				return st
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("after %v: %+v, want more than %d frames decoded", timeout, last, frames)
	return last
}

// TestBrowserPlaysCameras is the core bridge end to end: GStreamer pushes
// constrained-baseline H.264 over SRTP and ffmpeg pushes VP8 over plain RTP
// to two configured streams, and headless chromium plays each through the
// player page and WHEP.
func TestBrowserPlaysCameras(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: run without -short")
	}
	key := make([]byte, 30)
	for i := range key {
		key[i] = byte(i*7 + 3)
	}
	h264Port, vp8Port := freePort(t, "udp"), freePort(t, "udp")
	cfg := testConfig(t, fmt.Sprintf(`
[[stream]]
name = "h264cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "h264"
  payload_type = 96
  [stream.srtp]
  suite = "AES_CM_128_HMAC_SHA1_80"
  key = %q

[[stream]]
name = "vp8cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, h264Port, base64.StdEncoding.EncodeToString(key), vp8Port))
	gw := startGateway(t, cfg)

	startPeer(t, "gst-launch-1.0", gstH264(h264Port, 640, 480, hex.EncodeToString(key))...)
	startPeer(t, "ffmpeg", ffmpegVP8(vp8Port, 320, 240)...)

	cases := []struct {
		stream, codec string
		w, h          int
	}{
		{"h264cam", "video/H264", 640, 480},
		{"vp8cam", "video/VP8", 320, 240},
	}
	for _, c := range cases {
		t.Run(c.stream, func(t *testing.T) {
			ctx := newBrowser(t)
			ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.Navigate(gw.URL+"/view/"+c.stream)); err != nil {
				t.Fatalf("navigate: %v", err)
			}
			st := waitFrames(ctx, t, 60, 40*time.Second)
			if st.FrameWidth != c.w || st.FrameHeight != c.h {
				t.Errorf("frame size %dx%d, want %dx%d", st.FrameWidth, st.FrameHeight, c.w, c.h)
			}
			if st.Codec != c.codec {
				t.Errorf("codec %q, want %q", st.Codec, c.codec)
			}
		})
	}
}
