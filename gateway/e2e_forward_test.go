package gateway

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/forward"
)

const pushToken = "push-token-0123456789abcdef"

// rembRelay stands between a camera (ffmpeg) and the gateway: it passes
// the camera's datagrams on from a socket of its own, which the gateway
// latches onto, and reads the RTCP the gateway sends back to "the camera",
// so the test sees the REMB the camera would.
type rembRelay struct {
	in, out *net.UDPConn
	port    int

	mu   sync.Mutex
	last float32 // the last REMB bitrate seen; 0 before any
	max  float32
}

func startRelay(t *testing.T, toPort int) *rembRelay {
	t.Helper()
	in, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: toPort})
	if err != nil {
		t.Fatal(err)
	}
	r := &rembRelay{in: in, out: out, port: in.LocalAddr().(*net.UDPAddr).Port}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 2048)
		for {
			n, err := in.Read(buf)
			if err != nil {
				return
			}
			_, _ = out.Write(buf[:n])
		}
	}()
	go func() {
		defer wg.Done()
		buf := make([]byte, 2048)
		for {
			n, err := out.Read(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			} else if err != nil {
				continue
			}
			r.onRTCP(buf[:n])
		}
	}()
	t.Cleanup(func() { _ = in.Close(); _ = out.Close(); wg.Wait() })
	return r
}

func (r *rembRelay) onRTCP(b []byte) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return
	}
	for _, p := range pkts {
		if remb, ok := p.(*rtcp.ReceiverEstimatedMaximumBitrate); ok {
			r.mu.Lock()
			r.last, r.max = remb.Bitrate, max(r.max, remb.Bitrate)
			r.mu.Unlock()
		}
	}
}

func (r *rembRelay) remb() (last, most float32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last, r.max
}

// TestGatewayToGateway: an edge mediagate pulls a camera's stream from an
// origin mediagate by WHEP on demand; headless chromium and a pion viewer
// play it at the edge while the origin counts one viewer, the edge; a low
// REMB from the pion viewer reaches the camera at the origin; when the
// edge's viewers leave, the pull lets go after its linger. The origin also
// forwards the stream by WHIP (added by reload) into the edge's
// source = "whip" stream, which chromium plays too.
func TestGatewayToGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: run without -short")
	}
	camPort := freePort(t, "udp")
	originCfg := testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, camPort))
	origin := startGateway(t, originCfg)
	relay := startRelay(t, camPort)
	startPeer(t, "ffmpeg", ffmpegVP8(relay.port, 320, 240)...)
	edge := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
source = "whep"
whep_url = "%s/whep/cam"
whep_linger = "1s"
  [stream.video]
  codec = "vp8"
  payload_type = 97

[[stream]]
name = "pushed"
source = "whip"
publish_token = %q
  [stream.video]
  codec = "vp8"
`, origin.URL, pushToken)))
	waitUntil(t, 5*time.Second, "camera up at the origin", func() bool { return origin.Hub().Get("cam").Up() })
	if st := edge.Pull("cam").State(); st != forward.StateIdle || origin.Hub().Get("cam").Viewers() != 0 {
		t.Fatalf("before any viewer: pull %s, origin viewers %d; want idle and 0", st, origin.Hub().Get("cam").Viewers())
	}

	withForward := cloneConfig(originCfg, func(sc *config.Stream) {
		sc.Forward = []config.Forward{{URL: edge.URL + "/whip/pushed", Token: pushToken,
			RequestTimeout: config.Duration(5 * time.Second), RetryMin: config.Duration(time.Second),
			RetryMax: config.Duration(5 * time.Second), MaxRedirects: 5}}
	})
	if err := origin.Reload(withForward); err != nil {
		t.Fatalf("reload adding the forward: %v", err)
	}

	browser := newBrowser(t)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	camTab := openTab(t, browser, edge.URL+"/view/cam", "edge cam")
	pushedTab := openTab(t, browser, edge.URL+"/view/pushed", "edge pushed")
	viewer := dialWHEPOnly(t, edge.URL, "cam", offerVP8)
	st := waitFrames(camTab.ctx, t, 60, 40*time.Second)
	t.Logf("edge cam in chromium: %+v", st)
	st = waitFrames(pushedTab.ctx, t, 60, 40*time.Second)
	t.Logf("edge pushed (forwarded by WHIP) in chromium: %+v", st)
	viewer.waitPayloads(t, "video", 20, 10*time.Second)
	if fs := origin.Forwards("cam"); len(fs) != 1 || fs[0].State() != forward.StateUp {
		t.Errorf("origin forward not up: %v", fs)
	}
	if o, e := origin.Hub().Get("cam").Viewers(), edge.Hub().Get("cam").Viewers(); o != 1 || e != 2 {
		t.Errorf("origin counts %d viewers, edge %d; want 1 (the edge) and 2", o, e)
	}

	waitUntil(t, 10*time.Second, "a REMB above 300 kbit/s at the camera", func() bool { _, most := relay.remb(); return most > 300_000 })
	waitUntil(t, 20*time.Second, "the edge viewer's 150 kbit/s REMB at the camera", func() bool {
		viewer.sendREMB(t, 150_000)
		last, _ := relay.remb()
		return last > 0 && last <= 160_000
	})

	camTab.leave(t)
	viewer.leave(t, edge.URL)
	waitUntil(t, 10*time.Second, "the pull let go after its linger", func() bool {
		return edge.Pull("cam").State() == forward.StateIdle && origin.Hub().Get("cam").Viewers() == 0
	})
}
