package gateway

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mediagate.dev/mediagate/gateway/event"
)

// tab is one player page in a shared chromium.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc
	name   string
}

// openTab opens path of the gateway in a new tab of browser.
func openTab(t *testing.T, browser context.Context, url, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	tb := &tab{ctx: ctx, cancel: func() { cancelTimeout(); cancel() }, name: name}
	t.Cleanup(tb.cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("%s: navigate: %v", name, err)
	}
	return tb
}

// leave navigates the tab away, so the player DELETEs its session on
// pagehide, as closing the page does.
func (tb *tab) leave(t *testing.T) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("%s: leave: %v", tb.name, err)
	}
	tb.cancel()
}

// TestBrowserTranscodes is transcoding end to end in chromium: GStreamer
// pushes H.264 and ffmpeg pushes VP8. Two tabs restricted to VP8
// (setCodecPreferences, ?codec=vp8) play the H.264 camera through one
// shared transcoder while an unrestricted tab of the same camera stays on
// passthrough; a tab restricted to H.264 plays the VP8 camera. When the two
// VP8 tabs leave, transcoding.inactive arrives over SSE and the transcoder
// is gone, while the passthrough tab keeps playing.
func TestBrowserTranscodes(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: run without -short")
	}
	needTranscoding(t)
	h264Port, vp8Port := freePort(t, "udp"), freePort(t, "udp")
	gw := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "h264cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "h264"
  payload_type = 96
  [stream.transcode]
  grace_period = "500ms"

[[stream]]
name = "vp8cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, h264Port, vp8Port)))
	startPeer(t, "gst-launch-1.0", gstH264(h264Port, 640, 480, "")...)
	startPeer(t, "ffmpeg", ffmpegVP8(vp8Port, 320, 240)...)
	events := sseEvents(t, gw.URL)

	browser := newBrowser(t)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	cases := []struct {
		name, path, codec string
		w, h              int
	}{
		{"vp8 viewer 1", "/view/h264cam?codec=vp8", "video/VP8", 640, 480},
		{"vp8 viewer 2", "/view/h264cam?codec=vp8", "video/VP8", 640, 480},
		{"passthrough viewer", "/view/h264cam", "video/H264", 640, 480},
		{"h264 viewer", "/view/vp8cam?codec=h264", "video/H264", 320, 240},
	}
	tabs := make([]*tab, len(cases))
	for i, c := range cases {
		tabs[i] = openTab(t, browser, gw.URL+c.path, c.name)
	}
	for i, c := range cases {
		st := waitFrames(tabs[i].ctx, t, 30, 60*time.Second)
		if st.Codec != c.codec || st.FrameWidth != c.w || st.FrameHeight != c.h {
			t.Errorf("%s: %s %dx%d, want %s %dx%d", c.name, st.Codec, st.FrameWidth, st.FrameHeight, c.codec, c.w, c.h)
		}
	}
	for _, want := range []struct {
		stream, from, to string
		n                float64
	}{{"h264cam", "h264", "vp8", 1}, {"h264cam", "h264", "h264", 0}, {"vp8cam", "vp8", "h264", 1}} {
		if got := transcoders(t, gw.Gateway, want.stream, want.from, want.to); got != want.n {
			t.Errorf("%s: %v %s → %s transcoders, want %v", want.stream, got, want.from, want.to, want.n)
		}
	}

	tabs[0].leave(t)
	tabs[1].leave(t)
	e := waitEvent(t, events, event.TranscodingInactive, "h264cam", 20*time.Second, transcodesTo("video/VP8"))
	if e.Data["from"] != "video/H264" || e.Data["reason"] != "no viewers" {
		t.Errorf("transcoding.inactive %+v", e)
	}
	if got := transcoders(t, gw.Gateway, "h264cam", "h264", "vp8"); got != 0 {
		t.Errorf("%v H.264 → VP8 transcoders after the VP8 viewers left, want 0", got)
	}
	before := waitFrames(tabs[2].ctx, t, 0, 5*time.Second).FramesDecoded
	waitFrames(tabs[2].ctx, t, before+30, 20*time.Second)
}
