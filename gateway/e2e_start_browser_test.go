package gateway

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// firstFrameJS runs in each page before the player: it polls the player's
// inbound video stats and keeps the page time of the first decoded frame,
// in ms since the navigation started (performance.now()).
const firstFrameJS = `(() => {
  window.__firstFrame = null;
  window.__steps = {};
  const step = (name) => { if (!(name in window.__steps)) window.__steps[name] = Math.round(performance.now()); };
  const poll = async () => {
    const p = window.mediagatePlayer;
    if (p && p.pc) {
      step("pc");
      if (p.pc.connectionState === "connected") step("connected");
      const r = await p.pc.getStats();
      let decoded = 0, packets = 0;
      r.forEach(s => { if (s.type === "inbound-rtp" && s.kind === "video") { decoded = s.framesDecoded || 0; packets = s.packetsReceived || 0; } });
      if (packets > 0) step("packet");
      if (decoded > 0) { window.__firstFrame = performance.now(); return; }
    }
    setTimeout(poll, 5);
  };
  poll();
})()`

// jitterJS returns the mean jitter-buffer delay of the received video so
// far, in ms: how far behind live the picture is played.
const jitterJS = `(async () => {
  const r = await window.mediagatePlayer.pc.getStats();
  let d = 0, n = 0;
  r.forEach(s => { if (s.type === "inbound-rtp" && s.kind === "video") { d = s.jitterBufferDelay || 0; n = s.jitterBufferEmittedCount || 0; } });
  return n > 0 ? 1000 * d / n : -1;
})()`

// startLoad is one page load's first-frame time and, 3 s later, its mean
// jitter-buffer delay.
type startLoad struct {
	firstFrame, jitter time.Duration
}

// measureStarts loads url in one tab loads times, each after the last
// one's measurement, and returns what each showed.
func measureStarts(t *testing.T, browser context.Context, url string, loads int) []startLoad {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()
	install := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: firstFrameJS})
		return chromedp.Void{}, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Action[chromedp.Void](install)); err != nil {
		t.Fatalf("install the first-frame probe: %v", err)
	}
	var out []startLoad
	for i := range loads {
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
		var ms *float64
		deadline := time.Now().Add(10 * time.Second)
		for ms == nil && time.Now().Before(deadline) {
			var err error
			if ms, err = chromedp.Run(ctx, chromedp.Evaluate[*float64](`window.__firstFrame`)); err != nil {
				t.Fatalf("load %d: %v", i, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if ms == nil {
			t.Fatalf("load %d: no frame decoded in 10s", i)
		}
		// Where the time went: the player's peer connection, connected, first packet.
		steps, _ := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`window.__steps`))
		t.Logf("load %d: first frame at %.0f ms; steps %v", i, *ms, steps)
		time.Sleep(3 * time.Second)
		jitter, err := chromedp.Run(ctx, chromedp.Evaluate[float64](jitterJS, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
		out = append(out, startLoad{firstFrame: time.Duration(*ms * float64(time.Millisecond)),
			jitter: time.Duration(jitter * float64(time.Millisecond))})
	}
	_ = chromedp.Do(ctx, chromedp.Navigate("about:blank"))
	return out
}

// medianFirstFrame is the median first-frame time of loads.
func medianFirstFrame(loads []startLoad) time.Duration {
	ds := make([]time.Duration, len(loads))
	for i, l := range loads {
		ds[i] = l.firstFrame
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// TestBrowserInstantStart: headless chromium opens the player page of a
// camera with a 5 s GOP that ignores keyframe requests (GStreamer H.264,
// ffmpeg VP8) five times each: the median time from the page's start to
// its first decoded frame is at most 300 ms, and 3 s later the picture is
// live: a mean jitter-buffer delay of at most 150 ms.
func TestBrowserInstantStart(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: run without -short")
	}
	needTranscoding(t)
	h264Port, vp8Port := freePort(t, "udp"), freePort(t, "udp")
	g := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "h264cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "h264"
  payload_type = 96

[[stream]]
name = "vp8cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, h264Port, vp8Port)))
	startPeer(t, "gst-launch-1.0", longGOP(gstH264(h264Port, 640, 360, ""), 150)...)
	startPeer(t, "ffmpeg", longGOP(ffmpegVP8(vp8Port, 640, 360), 150)...)
	for _, name := range []string{"h264cam", "vp8cam"} {
		waitUntil(t, 10*time.Second, name+" up", func() bool { return g.Hub().Get(name).Up() })
	}
	browser := newBrowser(t)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	for _, name := range []string{"h264cam", "vp8cam"} {
		loads := measureStarts(t, browser, g.URL+"/view/"+name, 5)
		med := medianFirstFrame(loads)
		t.Logf("%s: first frames %v, median %v", name, loads, med)
		if med > 300*time.Millisecond {
			t.Errorf("%s: median first frame %v after the page's start, want at most 300ms", name, med)
		}
		for i, l := range loads {
			if l.jitter > 150*time.Millisecond {
				t.Errorf("%s load %d: mean jitter-buffer delay %v 3s after the first frame, want at most 150ms", name, i, l.jitter)
			}
		}
	}
}
