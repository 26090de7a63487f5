package gateway

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/internal/pionlog"
)

var icePwdLine = regexp.MustCompile(`(?m)^a=ice-pwd:(\S+)`)

// TestSecretsStayOutOfLogs plays a WHEP session through to ICE connected
// and its end, with every log line written (pion's trace output
// included), and checks that neither the session ID — the secret of the
// session URL — nor either side's ICE password appears in a log line, an
// event or a webhook; the viewer is named by its public id instead.
func TestSecretsStayOutOfLogs(t *testing.T) {
	hooks := newHookReceiver(t)
	cfg := testConfig(t, fmt.Sprintf(`
[[webhook]]
url = %q
secret = %q
events = ["viewer.*"]

[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, hooks.srv.URL+"/hook", testHookSecret, freePort(t, "udp")))
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: pionlog.LevelTrace}))
	gw, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	base := runGateway(t, gw)
	events, cancel := gw.Bus().Subscribe(16)
	defer cancel()

	viewer := dialWHEP(t, base, "cam", "", webrtc.RTPCodecTypeVideo)
	waitICEConnected(t, viewer.pc)
	id := viewer.Location[strings.LastIndex(viewer.Location, "/")+1:]
	deleteSession(t, base+viewer.Location)
	hooks.waitTypes(t, "cam", []event.Type{event.ViewerJoin, event.ViewerLeave})

	secrets := map[string]string{"session id": id}
	for i, m := range icePwdLine.FindAllStringSubmatch(viewer.pc.LocalDescription().SDP, -1) {
		secrets[fmt.Sprint("viewer ice-pwd ", i)] = m[1]
	}
	for i, m := range icePwdLine.FindAllStringSubmatch(viewer.pc.RemoteDescription().SDP, -1) {
		secrets[fmt.Sprint("gateway ice-pwd ", i)] = m[1]
	}
	if len(secrets) < 3 {
		t.Fatalf("secrets to look for: %v", secrets)
	}
	text := logs.String()
	if !strings.Contains(text, "remotePwd: [redacted]") {
		t.Errorf("pion's agent start line, redacted, is not in the log")
	}
	if !strings.Contains(text, "viewer="+signal.PublicID(id)) {
		t.Errorf("no log line names the viewer by its public id %s", signal.PublicID(id))
	}
	var published []string
	for range 2 {
		select {
		case e := <-events:
			published = append(published, fmt.Sprint(e))
		case <-time.After(5 * time.Second):
			t.Fatal("viewer events not published")
		}
	}
	hooks.mu.Lock()
	for _, e := range hooks.got {
		published = append(published, fmt.Sprint(e))
	}
	hooks.mu.Unlock()
	for what, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("the %s %q is in the log", what, s)
		}
		for _, e := range published {
			if strings.Contains(e, s) {
				t.Errorf("the %s is in an event: %s", what, e)
			}
		}
	}
	t.Logf("%d bytes of log checked for %d secrets", len(text), len(secrets))
}

// waitICEConnected waits until pc's ICE connection is up.
func waitICEConnected(t *testing.T, pc *webrtc.PeerConnection) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for pc.ICEConnectionState() != webrtc.ICEConnectionStateConnected &&
		pc.ICEConnectionState() != webrtc.ICEConnectionStateCompleted {
		if time.Now().After(deadline) {
			t.Fatalf("ICE state %s after 10s", pc.ICEConnectionState())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
