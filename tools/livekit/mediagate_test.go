package livekit

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway"
	"mediagate.dev/mediagate/gateway/config"
)

// shippedTokenFile is the token_file of configs/livekit/mediagate.toml,
// which the test points at its own temporary file.
const shippedTokenFile = `token_file = "/etc/mediagate/livekit-cam1.token"`

// mediagateURL is the gateway's HTTP address in that file.
const mediagateURL = "http://" + nsAddr + ":8080"

// startMediagate runs the gateway in this process on
// configs/livekit/mediagate.toml, its forward presenting token.
func startMediagate(t *testing.T, token string) {
	t.Helper()
	text, err := os.ReadFile("../../configs/livekit/mediagate.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(text, []byte(shippedTokenFile)) {
		t.Fatalf("configs/livekit/mediagate.toml no longer has %s", shippedTokenFile)
	}
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "livekit-cam1.token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	text = bytes.Replace(text, []byte(shippedTokenFile), []byte("token_file = "+strconv.Quote(tokenFile)), 1)
	path := filepath.Join(dir, "mediagate.toml")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	gw, err := gateway.New(cfg, log)
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gateway.Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the gateway did not stop within 10 s")
		}
	})
	waitFor(t, 10*time.Second, "mediagate on "+mediagateURL, func() bool {
		resp, err := http.Get(mediagateURL + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
}

// forwardMetric returns the sum of the samples of mediagate_forward_<name>
// whose labels contain every one of labels (e.g. `state="up"`).
func forwardMetric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	resp, err := http.Get(mediagateURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "mediagate_forward_"+name+"{") || !containsAll(line, labels) {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// forwardStates lists the forward's states that are set, for messages.
func forwardStates(t *testing.T) string {
	t.Helper()
	var on []string
	for _, st := range []string{"idle", "connecting", "up", "retrying", "failed"} {
		if forwardMetric(t, "state", `stream="cam1"`, `state="`+st+`"`) == 1 {
			on = append(on, st)
		}
	}
	return "[" + strings.Join(on, " ") + "]"
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// testWriter sends the gateway's log to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
