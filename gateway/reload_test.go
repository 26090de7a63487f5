package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// reloadViewers is how many viewers watch stream A while B comes and goes.
const reloadViewers = 50

// maxReloadGap is the longest silence a viewer of an unchanged stream may
// see during the reloads. The camera sends every 5 ms and unloaded runs see
// gaps of 10-30 ms; the margin is for a machine whose two cores are busy
// with other tests (50 viewers under -race). A stream that was stopped and
// started again shows as lost packets or an ended session, which the test
// checks without any margin.
const maxReloadGap = 2 * time.Second

// reloadRig is a gateway with stream A (and sometimes B) whose config the
// test rewrites and reloads.
type reloadRig struct {
	base         string // [http] and [webrtc], fixed ports
	portA, portB int
	gw           *runningGateway
}

func newReloadRig(t *testing.T) *reloadRig {
	r := &reloadRig{portA: freePort(t, "udp"), portB: freePort(t, "udp")}
	r.base = fmt.Sprintf(`
[http]
listen = "127.0.0.1:%d"
admin_token = %q

[webrtc]
udp_port = %d
tcp_port = 0
interfaces = ["lo"]
include_loopback = true
max_sessions = 1000
`, freePort(t, "tcp"), testAdminToken, freePort(t, "udp"))
	r.gw = startGateway(t, r.config(t, r.streamA()))
	return r
}

func (r *reloadRig) streamA() string {
	return fmt.Sprintf(`
[[stream]]
name = "a"
listen = "127.0.0.1:%d"
max_viewers = 1000
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, r.portA)
}

// streamB renders stream B with extra keys at its top level.
func (r *reloadRig) streamB(extra string) string {
	return fmt.Sprintf(`
[[stream]]
name = "b"
listen = "127.0.0.1:%d"
%s
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, r.portB, extra)
}

func (r *reloadRig) config(t *testing.T, streams ...string) *config.Config {
	t.Helper()
	text := r.base
	for _, s := range streams {
		text += s
	}
	cfg, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, text)
	}
	return cfg
}

func (r *reloadRig) reload(t *testing.T, cfg *config.Config) {
	t.Helper()
	if err := r.gw.Reload(cfg); err != nil {
		t.Fatalf("Reload: %v", err)
	}
}

// TestReloadKeepsUnchangedViewers is the reload test without systemd:
// 50 viewers watch stream A while stream B is added, changed (ingest only,
// then its media) and removed by reloads and while broken configs are
// refused. A's viewers must keep receiving with no gap and no loss, and
// A's stream and source must be the very same objects at the end; a
// stream created outside the config (as the API does) must be left alone.
func TestReloadKeepsUnchangedViewers(t *testing.T) {
	if testing.Short() {
		t.Skip("50 WebRTC viewers")
	}
	r := newReloadRig(t)
	startCamera(t, "127.0.0.1:0", r.portA, nil)
	startCamera(t, "127.0.0.1:0", r.portB, nil)
	apiStream := stream.New("from-api", nil, nil, nil)
	if err := r.gw.Hub().Add(apiStream); err != nil {
		t.Fatal(err)
	}
	stA, srcA := r.gw.Hub().Get("a"), r.gw.Source("a")

	viewers := dialMany(t, r.gw.URL, "a", reloadViewers)
	for _, v := range viewers {
		v.waitPackets(t, 20)
		v.resetStats()
	}

	r.reload(t, r.config(t, r.streamA(), r.streamB("")))
	vb := dialSteady(t, r.gw.URL, "b")
	vb.waitPackets(t, 20)
	flowing(t, viewers)

	// An ingest-only change replaces B's source; B's viewer stays.
	r.reload(t, r.config(t, r.streamA(), r.streamB(`latch = "strict"`+"\n"+`allow_from = ["127.0.0.1/32"]`)))
	flowing(t, []*steadyViewer{vb})
	flowing(t, viewers)

	r.refuseBroken(t)
	flowing(t, viewers)

	// A media change rebuilds B: its viewer's session ends.
	r.reload(t, r.config(t, r.streamA(), r.streamB(`max_viewers = 7`)))
	vb.waitEnded(t)
	dialSteady(t, r.gw.URL, "b").waitPackets(t, 20)
	flowing(t, viewers)

	r.reload(t, r.config(t, r.streamA()))
	if r.gw.Hub().Get("b") != nil {
		t.Error("stream b is still there after its removal")
	}
	flowing(t, viewers)

	var worst time.Duration
	var packets, lost int
	for i, v := range viewers {
		n, gap, l, ended := v.stats()
		worst, packets, lost = max(worst, gap), packets+n, lost+l
		if ended || gap > maxReloadGap || l > 0 {
			t.Errorf("viewer %d of a: ended %v, longest gap %v (max %v), %d lost", i, ended, gap, maxReloadGap, l)
		}
	}
	t.Logf("%d viewers of a: %d packets, longest gap %v, %d lost", len(viewers), packets,
		worst.Round(time.Millisecond), lost)
	if r.gw.Hub().Get("a") != stA || r.gw.Source("a") != srcA {
		t.Error("stream a or its source was replaced by reloads that did not change it")
	}
	if r.gw.Hub().Get("from-api") != apiStream {
		t.Error("reload removed a stream it did not configure")
	}
}

// refuseBroken offers configs that must be refused as a whole and checks
// that nothing changed: one that does not validate, and one whose new
// stream's port is taken by another process.
func (r *reloadRig) refuseBroken(t *testing.T) {
	t.Helper()
	before := r.gw.config()

	invalid := r.config(t, r.streamA(), r.streamB(""))
	invalid.Streams[1].Listen = invalid.Streams[0].Listen // two streams on one port
	if err := r.gw.Reload(invalid); !errors.Is(err, ErrReload) {
		t.Errorf("Reload of an invalid config: %v, want ErrReload", err)
	}

	taken, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	busy := r.config(t, r.streamA(), r.streamB(""), fmt.Sprintf(`
[[stream]]
name = "c"
listen = %q
  [stream.video]
  codec = "vp8"
`, taken.LocalAddr().String()))
	if err := r.gw.Reload(busy); !errors.Is(err, ErrReload) {
		t.Errorf("Reload with a port in use: %v, want ErrReload", err)
	}
	if r.gw.config() != before || r.gw.Hub().Get("c") != nil {
		t.Error("a refused reload changed the running config")
	}
}

// flowing waits until every viewer has 40 more packets (200 ms of video).
func flowing(t *testing.T, viewers []*steadyViewer) {
	t.Helper()
	want := make([]int, len(viewers))
	for i, v := range viewers {
		n, _, _, _ := v.stats()
		want[i] = n + 40
	}
	for i, v := range viewers {
		v.waitPackets(t, want[i])
	}
}

// dialMany opens n steady viewers of stream, a few at a time.
func dialMany(t *testing.T, base, stream string, n int) []*steadyViewer {
	t.Helper()
	out := make([]*steadyViewer, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range out {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = dialSteady(t, base, stream)
		}()
	}
	wg.Wait()
	return out
}

// TestReloadAdminToken checks that a new admin token applies on reload
// and that a setting needing a restart is named, not applied.
func TestReloadAdminToken(t *testing.T) {
	r := newReloadRig(t)
	cfg := r.config(t, r.streamA())
	cfg.HTTP.AdminToken = "another-admin-token-0123456789"
	cfg.Ingest.ReadBuffer = 4096
	r.reload(t, cfg)
	for token, want := range map[string]int{testAdminToken: 401, "another-admin-token-0123456789": 200} {
		resp := doRequest(t, http.MethodGet, r.gw.URL+"/api/v1/streams", token, "", "", "")
		if resp.StatusCode != want {
			t.Errorf("token %q after reload: %d, want %d", token[:7], resp.StatusCode, want)
		}
	}
	notes := r.gw.Notes()
	if len(notes) != 1 || notes[0] != "restart needed for ingest.read_buffer" {
		t.Errorf("Notes() = %q, want the restart of ingest.read_buffer", notes)
	}
}
