package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mediagate.dev/mediagate/gateway/config"
)

// TestPlayerReconnectsAfterServerRestart stops the gateway under a playing
// browser and starts it again on the same ports: the player page must notice,
// reconnect by itself and decode video again, with no reload.
func TestPlayerReconnectsAfterServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: run without -short")
	}
	port := freePort(t, "udp")
	cfg := testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, port))
	startPeer(t, "ffmpeg", ffmpegVP8(port, 320, 240)...)

	stop := runGatewayUntilStopped(t, cfg)
	ctx := newBrowser(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	url := "http://" + cfg.HTTP.Listen + "/view/cam"
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	waitFrames(ctx, t, 30, 30*time.Second)

	stop()
	waitPlayerState(ctx, t, "reconnecting", 20*time.Second)
	stop = runGatewayUntilStopped(t, cfg)
	defer stop()
	waitPlayerState(ctx, t, "playing", 30*time.Second)
	waitFrames(ctx, t, 30, 30*time.Second)
}

// runGatewayUntilStopped starts a gateway on cfg and returns a function that
// shuts it down and waits for it.
func runGatewayUntilStopped(t *testing.T, cfg *config.Config) func() {
	t.Helper()
	gw, err := New(cfg, slog.New(slog.NewTextHandler(testWriter{t}, nil)))
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Run(runCtx) }()
	stopped := false
	return func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway.Run: %v", err)
		}
	}
}

// waitPlayerState polls window.mediagatePlayer.state until it equals want.
func waitPlayerState(ctx context.Context, t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.mediagatePlayer ? window.mediagatePlayer.state : ""`))
		if err == nil {
			if last = s; s == want {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("player state %q after %v, want %q", last, timeout, want)
}
