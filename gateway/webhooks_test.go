package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/webhook"
)

const testHookSecret = "webhook-secret-0123456789"

// hookReceiver is a webhook receiver on loopback that verifies every
// request and records the events in arrival order.
type hookReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []event.Event
	bad []string
	new chan struct{}
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{new: make(chan struct{}, 1)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var e event.Event
		err := webhook.Verify(testHookSecret, r.Header.Get(webhook.SignatureHeader), r.Header.Get(webhook.TimestampHeader),
			body, time.Minute, time.Now())
		if err == nil {
			err = json.Unmarshal(body, &e)
		}
		h.mu.Lock()
		if err != nil {
			h.bad = append(h.bad, err.Error())
		} else {
			h.got = append(h.got, e)
		}
		h.mu.Unlock()
		select {
		case h.new <- struct{}{}:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// waitTypes waits until the events of stream, in order, are want.
func (h *hookReceiver) waitTypes(t *testing.T, stream string, want []event.Type) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		h.mu.Lock()
		var got []event.Type
		for _, e := range h.got {
			if e.Stream == stream {
				got = append(got, e.Type)
			}
		}
		bad := h.bad
		h.mu.Unlock()
		if len(bad) > 0 {
			t.Fatalf("requests that do not verify: %v", bad)
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return
		}
		select {
		case <-h.new:
		case <-deadline:
			t.Fatalf("events of %s: %v, want %v", stream, got, want)
		}
	}
}

// TestWebhooksInOrderWhileAnotherHangs: a receiver gets stream.up,
// viewer.join, viewer.leave and stream.down in order, each signed, while
// a second receiver never answers and a flood of events overflows its
// queue; the viewer still gets every packet the camera sends.
func TestWebhooksInOrderWhileAnotherHangs(t *testing.T) {
	good := newHookReceiver(t)
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(func() { close(release); hang.Close() })
	port := freePort(t, "udp")
	cfg := testConfig(t, fmt.Sprintf(`
[ingest]
source_timeout = "1s"

[[webhook]]
url = %q
secret = %q
events = ["stream.*", "viewer.*"]

[[webhook]]
url = %q
secret = %q
timeout = "30s"
queue_size = 4

[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, good.srv.URL+"/hook", testHookSecret, hang.URL+"/hang", testHookSecret, port))
	gw := startGateway(t, cfg)
	cam := startCamera(t, "127.0.0.1:0", port, nil)
	good.waitTypes(t, "cam", []event.Type{event.StreamUp})
	viewer := dialWHEP(t, gw.URL, "cam", "", webrtc.RTPCodecTypeVideo)
	viewer.waitPayloads(t, "video", 50, 20*time.Second)
	good.waitTypes(t, "cam", []event.Type{event.StreamUp, event.ViewerJoin})

	before := viewer.count("video")
	start := time.Now()
	for i := range 2000 {
		gw.Bus().Publish(event.Event{Type: "test.flood", Stream: "flood", Data: map[string]string{"n": strconv.Itoa(i)}})
	}
	time.Sleep(2 * time.Second) // a measurement window, not a wait for an event
	rate := float64(viewer.count("video")-before) / time.Since(start).Seconds()
	if rate < 180 { // the camera sends 200 packets per second
		t.Errorf("viewer got %.0f packets/s while a receiver hangs, want about 200", rate)
	}
	if dropped := hangDropped(t, gw.URL); dropped < 1000 {
		t.Errorf("the hanging receiver's dropped events: %d, want most of the flood", dropped)
	}
	t.Logf("viewer rate %.0f packets/s with a hanging receiver and 2000 flooded events", rate)

	deleteSession(t, gw.URL+viewer.Location)
	cam.Stop()
	good.waitTypes(t, "cam", []event.Type{event.StreamUp, event.ViewerJoin, event.ViewerLeave, event.StreamDown})
}

// deleteSession ends a WHEP session (draft-ietf-wish-whep §4.2).
func deleteSession(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE %s = %d", url, resp.StatusCode)
	}
}

var droppedLine = regexp.MustCompile(`mediagate_webhook_events_total\{receiver="http://127\.0\.0\.1:\d+/hang",result="dropped"\} (\d+)`)

// hangDropped reads the hanging receiver's dropped events from /metrics.
func hangDropped(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := droppedLine.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no dropped counter for the hanging receiver in /metrics:\n%s", grepLines(string(body), "webhook"))
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func grepLines(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestWebhooksSeeStartup: a stream up while the gateway starts (the test
// pattern is up at once, as a camera already sending latches on its first
// packet) reaches the webhook receiver as stream.up, and its end as
// stream.down.
func TestWebhooksSeeStartup(t *testing.T) {
	needTranscoding(t)
	good := newHookReceiver(t)
	cfg := testConfig(t, fmt.Sprintf(`
[[webhook]]
url = %q
secret = %q
events = ["stream.*"]

[[stream]]
name = "demo"
source = "testpattern"
  [stream.video]
  codec = "vp8"
`, good.srv.URL+"/hook", testHookSecret))
	gw := startGateway(t, cfg)
	good.waitTypes(t, "demo", []event.Type{event.StreamUp})
	if err := gw.Reload(cloneConfig(cfg, func(sc *config.Stream) { sc.Name = "other" })); err != nil {
		t.Fatal(err)
	}
	good.waitTypes(t, "demo", []event.Type{event.StreamUp, event.StreamDown})
}
