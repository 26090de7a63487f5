package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// firstFrameJS runs in each page before the player, as in
// gateway/e2e_start_browser_test.go: it polls the player's inbound video
// stats every 5 ms and keeps the page time of the first decoded frame, in
// ms since the navigation started (performance.now()).
const firstFrameJS = `(() => {
  window.__firstFrame = null;
  const poll = async () => {
    const p = window.mediagatePlayer;
    if (p && p.pc) {
      const r = await p.pc.getStats();
      let decoded = 0;
      r.forEach(s => { if (s.type === "inbound-rtp" && s.kind === "video") decoded = s.framesDecoded || 0; });
      if (decoded > 0) { window.__firstFrame = performance.now(); return; }
    }
    setTimeout(poll, 5);
  };
  poll();
})()`

// browser is headless chromium with one tab, the probe installed.
type browser struct {
	tab    context.Context
	cancel func()
}

// newBrowser starts chromium with gateway/browser_test.go's flags and
// opens a tab with firstFrameJS installed in every page.
func newBrowser(ctx context.Context, dir string) (*browser, error) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return nil, fmt.Errorf("chromium is required (make deps-test installs it): %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(dir, "chromium")),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns,Translate"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	b := &browser{tab: tab, cancel: func() { cancelTab(); cancelAlloc() }}
	install := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: firstFrameJS})
		return chromedp.Void{}, err
	}
	if _, err := chromedp.Run(tab, chromedp.Action[chromedp.Void](install)); err != nil {
		b.close()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return b, nil
}

// close stops chromium (cancelling the allocator kills its process and
// removes nothing else).
func (b *browser) close() { b.cancel() }

// load opens url and returns the time from the page's start to its first
// decoded frame; then it leaves the page for about:blank, which closes
// the page's peer connection.
func (b *browser) load(url string, timeout time.Duration) (time.Duration, error) {
	if err := chromedp.Do(b.tab, chromedp.Navigate(url)); err != nil {
		return 0, fmt.Errorf("load %s: %w", url, err)
	}
	defer func() { _ = chromedp.Do(b.tab, chromedp.Navigate("about:blank")) }()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ms, err := chromedp.Run(b.tab, chromedp.Evaluate[*float64](`window.__firstFrame`))
		if err != nil {
			return 0, fmt.Errorf("load %s: %w", url, err)
		}
		if ms != nil {
			return time.Duration(*ms * float64(time.Millisecond)), nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s: %w in %v", url, errNoFrame, timeout)
}
