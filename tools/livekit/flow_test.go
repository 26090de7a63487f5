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

	token := publishToken(t, secret)
	pub := startWHIPPublisher(t, a.url()+"/whip/v1", token, cameraUDP)
	camera := startCamera(t)
	sub := joinSubscriber(t, b.ws(), apiKey, secret, room, "viewer-b")

	// 1. The camera's video reaches the subscriber on node B.
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
	pub.close()
	if _, err := sub.waitTrack(publisher, "", 15*time.Second, func(tr track) bool { return tr.gone }); err != nil {
		t.Fatalf("camera stopped: %v", err)
	}
	_ = a
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
