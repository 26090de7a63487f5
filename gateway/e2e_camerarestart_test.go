package gateway

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// TestCameraRestartNewSSRC restarts a camera on the same address and port
// with a new SSRC, sequence numbers and (under SRTP) a fresh context, as a
// reboot or encoder restart does, with the default relatch_after of 3 s: a
// viewer's first packet of the restarted camera is the camera's first key
// frame and arrives within a second, not after 3 s of frozen video.
func TestCameraRestartNewSSRC(t *testing.T) {
	plainPort, securePort := freePort(t, "udp"), freePort(t, "udp")
	key := make([]byte, 30)
	_, _ = rand.Read(key)
	gw := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "plain"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97

[[stream]]
name = "secure"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
  [stream.srtp]
  suite = "AES_CM_128_HMAC_SHA1_80"
  key = %q
`, plainPort, securePort, base64.StdEncoding.EncodeToString(key))))
	for _, c := range []struct {
		name string
		port int
		key  []byte
	}{{"plain", plainPort, nil}, {"secure", securePort, key}} {
		t.Run(c.name, func(t *testing.T) {
			cam := startCamera(t, "127.0.0.1:0", c.port, c.key)
			view := dialWHEP(t, gw.URL, c.name, "", webrtc.RTPCodecTypeVideo)
			view.waitPayloads(t, "video", 60, 10*time.Second)

			before := view.count("video")
			restarted := time.Now()
			if err := cam.restart(); err != nil {
				t.Fatal(err)
			}
			var first []byte
			waitUntil(t, 3*time.Second, "a packet of the restarted camera", func() bool {
				view.mu.Lock()
				defer view.mu.Unlock()
				for _, p := range view.payloads["video"][before:] {
					if p[2] == 1 {
						first = p
						return true
					}
				}
				return false
			})
			took := time.Since(restarted)
			t.Logf("%s: the restarted camera's first packet reached the viewer after %v", c.name, took)
			if first[1] != 0x50 {
				t.Errorf("the viewer's first packet of the restarted camera is not its key frame: %x", first[:3])
			}
			if took > time.Second {
				t.Errorf("the viewer resumed after %v, want within a second (the camera's first key frame)", took)
			}
			if n := metricValue(t, gw.Gateway, "mediagate_ingest_ssrc_switches_total", map[string]string{"stream": c.name}); n != 1 {
				t.Errorf("ssrc switches = %v, want 1", n)
			}
		})
	}
}
