package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"mediagate.dev/mediagate/gateway"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// The start modes measured, in the order of each GOP's loads.
const (
	modeWait   = config.StartWait
	modeBridge = config.StartBridge
)

// startRow is one stream's page loads: a codec in a start mode.
type startRow struct {
	codec, mode string
	loads       []pageLoad
}

// pageLoad is one page load: the camera's GOP age when it started and the
// time from its start to its first decoded frame.
type pageLoad struct {
	phase, firstFrame time.Duration
}

// streamName is the gateway's stream of a codec in a start mode.
func streamName(c, mode string) string { return c + "-" + mode }

// gatewayConfig is the TOML of the benchmark's gateway: HTTP and ICE on
// loopback, and for each codec a "bridge" and a "wait" stream. The bridge's
// grace period is 1 s, so that each bridged load (5 s or more after the
// last) starts a bridge of its own: the first viewer's cost.
func gatewayConfig(httpPort, icePort int, ports map[string]int, o options) string {
	var b strings.Builder
	level := "warn"
	if o.verbose {
		level = "debug"
	}
	fmt.Fprintf(&b, `[log]
level = %q

[http]
listen = "127.0.0.1:%d"

[webrtc]
udp_port = %d
tcp_port = 0
interfaces = ["lo"]
include_loopback = true
setup_timeout = "10s"
`, level, httpPort, icePort)
	for _, c := range o.browserCodecs {
		for _, mode := range []string{modeBridge, modeWait} {
			pt := 96
			if c == codecVP8 {
				pt = 97
			}
			fmt.Fprintf(&b, `
[[stream]]
name = %q
listen = "127.0.0.1:%d"
  [stream.video]
  codec = %q
  payload_type = %d
  [stream.start]
  mode = %q
  grace_period = "1s"
`, streamName(c, mode), ports[streamName(c, mode)], c, pt, mode)
		}
	}
	return b.String()
}

// measureFirstFrames runs the gateway and chromium and, codec by codec
// with its camera running, loads each stream's page o.loads times.
func measureFirstFrames(ctx context.Context, dir string, o options, log *slog.Logger) ([]startRow, error) {
	gw, err := runGateway(ctx, o, log)
	if err != nil {
		return nil, err
	}
	defer gw.stop()
	b, err := newBrowser(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer b.close()
	var rows []startRow
	for _, c := range o.browserCodecs {
		rs, err := measureCodec(ctx, gw, b, c, dir, o, log)
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	return rows, nil
}

// runningGateway is the benchmark's gateway, serving in this process.
type runningGateway struct {
	*gateway.Gateway
	base   string         // http://127.0.0.1:<port>
	ingest map[string]int // each stream's RTP port
	stop   func()
}

// runGateway starts the gateway in this process.
func runGateway(ctx context.Context, o options, log *slog.Logger) (*runningGateway, error) {
	ports, err := freePorts(1+2*len(o.browserCodecs), "udp")
	if err != nil {
		return nil, err
	}
	tcp, err := freePorts(1, "tcp")
	if err != nil {
		return nil, err
	}
	ingest := map[string]int{}
	for i, c := range o.browserCodecs {
		ingest[streamName(c, modeBridge)], ingest[streamName(c, modeWait)] = ports[1+2*i], ports[2+2*i]
	}
	text := gatewayConfig(tcp[0], ports[0], ingest, o)
	cfg, err := config.Parse([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("gateway config: %w\n%s", err, text)
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	glog := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("component", "gateway")
	g, err := gateway.New(cfg, glog)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- g.Run(runCtx) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			log.Warn("gateway shutdown", "err", err)
		}
	}
	return &runningGateway{Gateway: g, base: "http://" + g.HTTPAddr().String(), ingest: ingest, stop: stop}, nil
}

// freePorts returns n distinct ports of network ("udp" or "tcp") that were
// free on 127.0.0.1 a moment ago.
func freePorts(n int, network string) ([]int, error) {
	var ports []int
	for range n {
		var port int
		if network == "tcp" {
			l, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				return nil, err
			}
			port = l.Addr().(*net.TCPAddr).Port
			defer l.Close()
		} else {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				return nil, err
			}
			port = c.LocalAddr().(*net.UDPAddr).Port
			defer c.Close()
		}
		ports = append(ports, port)
	}
	return ports, nil
}

// waitUp waits until the named streams are up and the bridge stream's
// track holds a GOP.
func waitUp(ctx context.Context, g *runningGateway, names []string, gopTrack string) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		up := true
		for _, n := range names {
			st := g.Hub().Get(n)
			up = up && st != nil && st.Up()
		}
		if up && len(g.Hub().Get(gopTrack).Video.GOP().Packets) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %w", strings.Join(names, ", "), errCameraDown)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

// phaseSlack is how late after its point of the GOP a load may start.
const phaseSlack = 15 * time.Millisecond

// waitPhase waits until the camera's current GOP, as t remembers it, is
// phase old (or up to phaseSlack older) and returns its age then.
func waitPhase(ctx context.Context, t *stream.Track, phase, gop time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(3 * gop)
	for time.Now().Before(deadline) {
		g := t.GOP()
		if len(g.Packets) > 0 {
			key := g.Packets[0].Arrival
			if d := time.Until(key.Add(phase)); d >= -phaseSlack {
				if err := sleep(ctx, d); err != nil {
					return 0, err
				}
				return time.Since(key), nil
			}
		}
		if err := sleep(ctx, 2*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return 0, errors.New("the camera's GOP never reached the load's phase")
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// phases are the points of the GOP the loads start at: the middles of n
// equal parts, so that waiting for the next keyframe costs on average half
// a GOP, as for a viewer who comes at a random time.
func phases(n int, gop time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = gop * time.Duration(2*i+1) / time.Duration(2*n)
	}
	return out
}
