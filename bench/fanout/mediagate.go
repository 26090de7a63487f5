package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"
)

const (
	// mediagateStream is the name of the one stream in the benchmark config.
	mediagateStream = "bench"
	// mediagateStartTimeout bounds the gateway's start-up (health check).
	mediagateStartTimeout = 15 * time.Second
	// whepTimeout bounds one WHEP request.
	whepTimeout = 15 * time.Second
)

// mediagateConfig is the TOML the benchmark runs mediagate with: everything
// on loopback, ICE on one UDP port, room for every viewer, little logging.
// Viewers wait for the camera's next keyframe (start.mode "wait"): the
// default instant start bridges a joiner through a decoder and an encoder
// until then, a join cost that bench/start measures, and that would land
// in this benchmark's steady windows. Keys are those of gateway/config (see
// configs/mediagate.toml).
const mediagateConfig = `[log]
level = "warn"

[http]
listen = "127.0.0.1:%d"

[webrtc]
udp_port = %d
tcp_port = 0
interfaces = ["lo"]
include_loopback = true
max_sessions = 2000
setup_timeout = "30s"

[[stream]]
name = %q
source = "rtp"
listen = "127.0.0.1:%d"
allow_from = ["127.0.0.1/32"]
max_viewers = 1000

  [stream.video]
  codec = "h264"
  payload_type = 96
  profile_level_id = "42e01f"

  [stream.start]
  mode = "wait"
`

// mediagate is the gateway under test, run as a child process from a binary
// built from this repository.
type mediagate struct {
	proc       *child
	base       string // http://127.0.0.1:<port>
	ingestPort int    // where the tee sends RTP
	api        *viewerAPI
	client     *http.Client
	// signal are the clients the benchmark's viewers signal through, one
	// per loopback source address (signalSources), taken in turn; empty:
	// client (the soak).
	signal   []*http.Client
	next     atomic.Uint32
	prof     profiles // what to profile over each window
	profAddr string   // the gateway's profile listener, or empty
	probe    *latencyProbe
}

// buildMediagate compiles ./cmd/mediagate (the benchmark runs from the
// repository root) into dir and returns the binary's path.
// With profile set it builds in the profile listener (-tags pprof).
func buildMediagate(ctx context.Context, dir string, profile bool, log *slog.Logger) (string, error) {
	bin := filepath.Join(dir, "mediagate")
	args := []string{"build", "-o", bin}
	if profile {
		args = append(args, "-tags", profileTag)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/mediagate")...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/mediagate: %w\n%s", err, out)
	}
	log.Info("built mediagate", "binary", bin)
	return bin, nil
}

// startMediagate writes the config into dir, starts bin on it and waits for
// /healthz. With prof enabled, it also turns on the gateway's profile
// listener.
func startMediagate(ctx context.Context, bin, dir string, log *slog.Logger, prof profiles) (*mediagate, error) {
	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	httpPort, icePort, ingestPort := ports[0], ports[1], ports[2]
	var env []string
	var profAddr string
	if prof.enabled() {
		profAddr = fmt.Sprintf("127.0.0.1:%d", ports[3])
		env = []string{profileEnv + "=" + profAddr}
	}
	cfg := filepath.Join(dir, "mediagate.toml")
	text := fmt.Sprintf(mediagateConfig, httpPort, icePort, mediagateStream, ingestPort)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		return nil, fmt.Errorf("write mediagate config: %w", err)
	}
	api, err := newViewerAPI(viewerNetwork{iface: "lo", loopback: true, lean: true, stamped: true})
	if err != nil {
		return nil, err
	}
	proc, err := startChildEnv("mediagate", dir, env, log, bin, "run", "-c", cfg)
	if err != nil {
		return nil, err
	}
	m := &mediagate{
		proc:       proc,
		base:       fmt.Sprintf("http://127.0.0.1:%d", httpPort),
		ingestPort: ingestPort,
		api:        api,
		client:     &http.Client{Timeout: whepTimeout, Transport: benchTransport()},
		signal:     signalClients(),
		prof:       prof,
		profAddr:   profAddr,
	}
	if err := proc.waitFor(ctx, "/healthz answers", mediagateStartTimeout, m.healthy); err != nil {
		proc.stop(syscall.SIGTERM)
		return nil, err
	}
	return m, nil
}

// healthy reports whether GET /healthz answers 200.
func (m *mediagate) healthy() error {
	resp, err := m.client.Get(m.base + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz: %s", resp.Status)
	}
	return nil
}

// ingestAddr returns the UDP address mediagate receives the stream's RTP on.
func (m *mediagate) ingestAddr() *net.UDPAddr {
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: m.ingestPort}
}

func (m *mediagate) name() string { return "mediagate" }

func (m *mediagate) pid() int { return m.proc.pid() }

func (m *mediagate) latency() *latencyProbe { return m.probe }

// join opens one WHEP viewer (draft-ietf-wish-whep): a recvonly video offer
// with every candidate gathered, POSTed to /whep/bench; the 201's body is the
// answer and its Location is the session, which release DELETEs.
func (m *mediagate) join(ctx context.Context) (*viewer, error) {
	v, err := newViewer(m.api)
	if err != nil {
		return nil, err
	}
	v.onPacket = m.probe.observer(v.arrivals)
	client := m.pick()
	loc, err := m.negotiate(ctx, client, v.pc)
	if err != nil {
		_ = v.pc.Close()
		return nil, err
	}
	v.release = func(ctx context.Context) error { return m.delete(ctx, client, loc) }
	return v, nil
}

// pick returns the next signalling client.
func (m *mediagate) pick() *http.Client {
	if len(m.signal) == 0 {
		return m.client
	}
	return m.signal[int(m.next.Add(1))%len(m.signal)]
}

// negotiate runs the WHEP offer/answer for pc through client and returns
// the session URL.
func (m *mediagate) negotiate(ctx context.Context, client *http.Client, pc *webrtc.PeerConnection) (string, error) {
	recvonly := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, recvonly); err != nil {
		return "", fmt.Errorf("add transceiver: %w", err)
	}
	desc, err := pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("create offer: %w", err)
	}
	offer, err := setLocal(ctx, pc, desc)
	if err != nil {
		return "", err
	}
	endpoint := m.base + "/whep/" + mediagateStream
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewBufferString(offer))
	if err != nil {
		return "", fmt.Errorf("WHEP request: %w", err)
	}
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("WHEP POST: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("WHEP answer: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST %s: %s: %s: %w", endpoint, resp.Status, bytes.TrimSpace(answer), errWHEP)
	}
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("WHEP Location: %w: %w", err, errWHEP)
	}
	remote := webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(answer)}
	if err := pc.SetRemoteDescription(remote); err != nil {
		return "", fmt.Errorf("set answer: %w", err)
	}
	return loc.String(), nil
}

// delete ends a WHEP session (DELETE on its Location) through client.
func (m *mediagate) delete(ctx context.Context, client *http.Client, loc string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, loc, nil)
	if err != nil {
		return fmt.Errorf("WHEP DELETE: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("WHEP DELETE: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("DELETE %s: %s: %w", loc, resp.Status, errWHEP)
	}
	return nil
}

// close stops the gateway (SIGTERM drains it).
func (m *mediagate) close() { m.proc.stop(syscall.SIGTERM) }

// setLocal sets desc (an offer or answer just created) as pc's local
// description and returns its SDP once ICE gathering has finished, so the
// SDP carries every candidate (no trickle).
func setLocal(ctx context.Context, pc *webrtc.PeerConnection, desc webrtc.SessionDescription) (string, error) {
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(desc); err != nil {
		return "", fmt.Errorf("set local %s: %w", desc.Type, err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("ICE gathering: %w", ctx.Err())
	}
	return pc.LocalDescription().SDP, nil
}

// freePorts returns n distinct ports that were free on 127.0.0.1 for both
// TCP and UDP a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var held []io.Closer
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for len(ports) < n {
		tl, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find free port: %w", err)
		}
		held = append(held, tl)
		port := tl.Addr().(*net.TCPAddr).Port
		ul, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			continue // taken for UDP: try another
		}
		held = append(held, ul)
		ports = append(ports, port)
	}
	return ports, nil
}

// signalSources is how many loopback addresses the benchmark's mediagate
// viewers signal from: 127.0.0.1 and 127.0.1.1 onwards (all of 127/8 is
// local on Linux). mediagate admits at most 200 sessions and a burst of 100
// offers per client address (gateway/http.go); 500 viewers from eight
// addresses stay within both, as viewers on many hosts would.
const signalSources = 8

// signalClients returns one HTTP client per signalling source address.
func signalClients() []*http.Client {
	clients := make([]*http.Client, signalSources)
	for i := range clients {
		src := net.IPv4(127, 0, 1, byte(i))
		if i == 0 {
			src = net.IPv4(127, 0, 0, 1)
		}
		t := benchTransport()
		t.DialContext = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: whepTimeout}).DialContext
		clients[i] = &http.Client{Timeout: whepTimeout, Transport: t}
	}
	return clients
}

// benchTransport is an HTTP transport that keeps enough idle connections for
// the benchmark's concurrent signalling.
func benchTransport() *http.Transport {
	return &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second}
}
