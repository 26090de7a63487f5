package livekit

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
)

// The room and the identity mediagate publishes as: the token names both.
const (
	room      = "cam1"
	publisher = "mediagate-cam1"
	apiKey    = "mediagate-test"
	cameraUDP = "127.0.0.1:5004"
)

// clusterInNamespace runs inside the namespace: redis, node A, node B,
// the publisher, the camera and the subscriber, then the three checks.
func clusterInNamespace(t *testing.T) {
	checkInsideNamespace(t)
	server := os.Getenv(serverEnv)
	secret := randomSecret(t)
	keys := apiKey + ": " + secret

	startRedis(t)
	a := startNode(t, server, "node-a", 7880, keys)
	b := startNode(t, server, "node-b", 7890, keys)
	checkCluster(t, server, keys)

	startMediagate(t, publishToken(t, secret))
	camera := startCamera(t)
	waitForwardUp(t)
	checkRoomOn(t, a)
	sub := joinSubscriber(t, b.ws(), apiKey, secret, room, "viewer-b")

	// 1. The camera's video, forwarded by mediagate to node A, reaches the
	// subscriber on node B.
	first, err := sub.waitTrack(publisher, "", 20*time.Second, func(tr track) bool { return tr.frames > 60 })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("through node B: %s track %s, %d frames", first.mime, first.sid, first.frames)
	if !strings.EqualFold(first.mime, "video/VP8") {
		t.Errorf("codec %s, want the camera's VP8 untouched", first.mime)
	}

	// 2. Stopping the camera unpublishes the track.
	camera.stop(syscall.SIGKILL)
	stopped := time.Now()
	if _, err := sub.waitTrack(publisher, "", 10*time.Second, func(tr track) bool { return tr.gone }); err != nil {
		t.Fatalf("camera stopped: %v", err)
	}
	t.Logf("camera stopped: the track left the room after %v", time.Since(stopped).Round(time.Millisecond))

	// The camera again: a new track.
	camera = startCamera(t)
	second, err := sub.waitTrack(publisher, first.sid, 15*time.Second, func(tr track) bool { return tr.frames > 10 })
	if err != nil {
		t.Fatalf("camera restarted: %v", err)
	}
	sub.room.Disconnect()

	// 3. Restarting node A: mediagate publishes again, into a room on the
	// new node A, within 10 s of the node serving again; a new subscriber
	// through node B receives it.
	before := forwardMetric(t, "reconnects_total", `stream="cam1"`)
	stoppedAt := time.Now()
	a.restart(t)
	ready := time.Now()
	waitFor(t, 10*time.Second, "new forward session (mediagate_forward_reconnects_total up, state up)", func() bool {
		return forwardMetric(t, "reconnects_total", `stream="cam1"`) > before &&
			forwardMetric(t, "state", `stream="cam1"`, `state="up"`) == 1
	}, func() string {
		return fmt.Sprintf("the forward's reconnects_total stayed %v, its states: %s",
			before, forwardStates(t))
	})
	checkRoomOn(t, a)
	sub = joinSubscriber(t, b.ws(), apiKey, secret, room, "viewer-b2")
	third, err := sub.waitTrack(publisher, second.sid, 10*time.Second, func(tr track) bool { return tr.frames > 0 })
	if err != nil {
		t.Fatalf("node A restarted: %v", err)
	}
	republished := time.Since(ready)
	t.Logf("node A restarted (down for %v): mediagate's new track %s reached node B's subscriber %v after node A served again",
		ready.Sub(stoppedAt).Round(time.Millisecond), third.sid, republished.Round(time.Millisecond))
	if republished > 10*time.Second {
		t.Errorf("republished %v after node A served again, want within 10 s", republished.Round(time.Millisecond))
	}
	camera.stop(syscall.SIGKILL) // the sender stops before the cluster
}

// waitForwardUp waits for mediagate's forward to report itself up: the
// room is then created through node A, so it lives there.
func waitForwardUp(t *testing.T) {
	t.Helper()
	waitFor(t, 10*time.Second, "forward up (mediagate_forward_state)", func() bool {
		return forwardMetric(t, "state", `stream="cam1"`, `state="up"`) == 1
	}, func() string { return "the forward's states: " + forwardStates(t) })
}

// checkRoomOn checks that the room lives on n, which the subscriber does
// not connect to.
func checkRoomOn(t *testing.T, n *node) {
	t.Helper()
	if got, want := roomNode(t, room), n.id(t); got != want {
		t.Fatalf("room %s lives on node %q, want %s's %s", room, got, n.name, want)
	}
}

// checkCluster asks livekit-server list-nodes (through redis) for the
// cluster: both nodes, regions a and b, serving.
func checkCluster(t *testing.T, server, keys string) {
	t.Helper()
	cmd := exec.Command(server, "--redis-host", "127.0.0.1:6379", "list-nodes")
	cmd.Env = append(os.Environ(), "LIVEKIT_KEYS="+keys)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("livekit-server list-nodes: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "(SERVING)"); n != 2 {
		t.Fatalf("list-nodes shows %d serving nodes, want 2:\n%s", n, out)
	}
}

// publishToken is the participant token mediagate presents to node A's
// WHIP endpoint: it may join room as publisher and publish.
func publishToken(t *testing.T, secret string) string {
	t.Helper()
	at := auth.NewAccessToken(apiKey, secret)
	at.SetIdentity(publisher).SetValidFor(time.Hour).SetVideoGrant(&auth.VideoGrant{
		RoomJoin: true, Room: room, CanPublish: boolPtr(true), CanSubscribe: boolPtr(false)})
	jwt, err := at.ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	return jwt
}

func boolPtr(b bool) *bool { return &b }

// startCamera runs ffmpeg as the camera: a 320x240 test pattern at 30 fps
// in VP8 over RTP to cameraUDP.
func startCamera(t *testing.T) *proc {
	t.Helper()
	return startProc(t, nil, "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
		"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "600k", "-g", "30",
		"-f", "rtp", "-payload_type", "97", fmt.Sprintf("rtp://%s?pkt_size=1200", cameraUDP))
}

// randomSecret is the cluster's API secret for this run (LiveKit wants at
// least 32 characters).
func randomSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
