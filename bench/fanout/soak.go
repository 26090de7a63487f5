package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The soak (make soak): one 720p30 H.264 stream to many viewers for a long
// time, with the faults of a working day: random loss toward the viewers,
// a configuration reload every few seconds and a camera restart every few
// minutes. It watches the gateway's resident memory and goroutines over
// time, the viewers dropped and the frames the viewers lost beyond what
// retransmission repaired. mediagate and the GStreamer camera run in a
// network namespace; iptables' statistic match in it drops a share of the
// UDP toward the viewers, which are pion PeerConnections in this process
// on the host side of the veth pair.

// soakSettings are the soak's knobs (flags -soak, -soak-*; -viewers' last
// count is the number of viewers).
type soakSettings struct {
	duration     time.Duration
	viewers      int
	loss         float64
	reloadEvery  time.Duration
	restartEvery time.Duration
	sampleEvery  time.Duration
	warmup       time.Duration // RSS growth is measured from here
	out          string
}

// soakSettingsFor derives the settings from the flags: a sample every
// 1/360 of the run (at least every 2 s), a warm-up of 5 minutes or a
// quarter of a shorter run.
func soakSettingsFor(o options) soakSettings {
	return soakSettings{
		duration: o.soak, viewers: o.viewers[len(o.viewers)-1], loss: o.soakLoss,
		reloadEvery: o.soakReload, restartEvery: o.soakRestart,
		sampleEvery: max(2*time.Second, o.soak/360), warmup: min(5*time.Minute, o.soak/4), out: o.out,
	}
}

// soakRig is what the soak started.
type soakRig struct {
	s      soakSettings
	ns     *netns
	gw     *mediagate
	dir    string
	cfg    string // the gateway's config file
	ports  []int  // http, ice, ingest, the extra stream's ingest, the camera's source port
	log    *slog.Logger
	client *http.Client

	mu  sync.Mutex
	cam *child
}

// soak runs the soak and prints its report; it fails when a viewer
// dropped, or (runs of 10 minutes or more) when RSS grew 5 % or more
// after the warm-up.
func soak(ctx context.Context, o options, log *slog.Logger) (err error) {
	s := soakSettingsFor(o)
	dir, done, err := workDir(ctx, "mgsoak-", o.keep, log)
	if err != nil {
		return err
	}
	defer func() { done(err) }()
	var cl cleanups
	defer cl.run()
	r := &soakRig{s: s, dir: dir, log: log, client: &http.Client{Timeout: 5 * time.Second}}
	if err := r.start(ctx, o, &cl); err != nil {
		return err
	}
	views, err := r.joinViewers(ctx, &cl)
	if err != nil {
		return err
	}
	series, err := r.run(ctx, views)
	if err != nil {
		return err
	}
	drops, passes := r.ns.lossCounters(context.WithoutCancel(ctx))
	rep := newSoakReport(s, series, views, drops, passes)
	rep.print(os.Stdout)
	if err := rep.write(s.out); err != nil {
		return err
	}
	return rep.verdict()
}

// start sets up the namespace and its loss, the gateway and the camera.
func (r *soakRig) start(ctx context.Context, o options, cl *cleanups) error {
	ns, err := setupNetns(ctx, r.log)
	if err != nil {
		return err
	}
	r.ns = ns
	cl.push(ns.close)
	if err := ns.dropRandom(ctx, r.s.loss); err != nil {
		return err
	}
	bin := o.mediagate
	if bin == "" {
		if bin, err = buildMediagate(ctx, r.dir, false, r.log); err != nil {
			return err
		}
	}
	if r.ports, err = freePorts(5); err != nil {
		return err
	}
	if err := r.startGateway(ctx, bin); err != nil {
		return err
	}
	cl.push(func(context.Context) { r.gw.close() })
	if err := r.startCamera(ctx); err != nil {
		return err
	}
	cl.push(func(context.Context) { r.stopCamera() })
	return nil
}

// soakConfig is the gateway's config in the namespace: HTTP and ICE on the
// veth, the camera's stream on the namespace's loopback, and (every other
// reload) a second stream that comes and goes.
const soakConfig = `[log]
level = "warn"

[http]
listen = "%s:%d"

[webrtc]
udp_port = %d
tcp_port = 0
interfaces = [%q]
max_sessions = 2000
setup_timeout = "30s"

[turn]
enabled = false

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
`

const soakExtraStream = `
[[stream]]
name = "soak-extra"
source = "rtp"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`

// writeConfig writes the config, with the extra stream when extra.
func (r *soakRig) writeConfig(extra bool) error {
	text := fmt.Sprintf(soakConfig, r.ns.nsIP, r.ports[0], r.ports[1], r.ns.nsIf, mediagateStream, r.ports[2])
	if extra {
		text += fmt.Sprintf(soakExtraStream, r.ports[3])
	}
	return os.WriteFile(r.cfg, []byte(text), 0o600)
}

// startGateway runs mediagate in the namespace and waits for /healthz.
func (r *soakRig) startGateway(ctx context.Context, bin string) error {
	r.cfg = filepath.Join(r.dir, "mediagate.toml")
	if err := r.writeConfig(false); err != nil {
		return err
	}
	api, err := newViewerAPI(viewerNetwork{iface: r.ns.hostIf})
	if err != nil {
		return err
	}
	proc, err := startChild("mediagate", r.dir, r.log, r.ns.exec(bin, "run", "-c", r.cfg)...)
	if err != nil {
		return err
	}
	r.gw = &mediagate{proc: proc, base: fmt.Sprintf("http://%s:%d", r.ns.nsIP, r.ports[0]), api: api,
		client: &http.Client{Timeout: whepTimeout, Transport: benchTransport()}}
	if err := proc.waitFor(ctx, "/healthz answers", mediagateStartTimeout, r.gw.healthy); err != nil {
		proc.stop(syscall.SIGTERM)
		return err
	}
	return nil
}

// startCamera runs the GStreamer camera in the namespace, always from the
// same source port, and waits until the gateway has taken 100 packets
// more than before.
func (r *soakRig) startCamera(ctx context.Context) error {
	before := r.ingestPackets()
	cam, err := startChild("gst-camera", r.dir, r.log, r.ns.exec(senderPipeline(r.ports[2], r.ports[4])...)...)
	if err != nil {
		return err
	}
	err = cam.waitFor(ctx, "RTP at the gateway", senderStartTimeout, func() error {
		if got := r.ingestPackets() - before; got < 100 {
			return fmt.Errorf("%v packets so far: %w", got, errNoMedia)
		}
		return nil
	})
	if err != nil {
		cam.stop(syscall.SIGINT)
		return err
	}
	r.mu.Lock()
	r.cam = cam
	r.mu.Unlock()
	return nil
}

// stopCamera stops the camera, if one runs.
func (r *soakRig) stopCamera() {
	r.mu.Lock()
	cam := r.cam
	r.cam = nil
	r.mu.Unlock()
	if cam != nil {
		cam.stop(syscall.SIGINT)
	}
}

// ingestPackets reads mediagate_ingest_packets_total of the stream.
func (r *soakRig) ingestPackets() float64 {
	v, _ := r.metric(`mediagate_ingest_packets_total{stream="` + mediagateStream + `"}`)
	return v
}

// joinViewers connects the viewers, parallel (in tens), each with a frame
// tally, and waits until every one receives.
func (r *soakRig) joinViewers(ctx context.Context, cl *cleanups) ([]*soakViewer, error) {
	views := make([]*soakViewer, r.s.viewers)
	for start := 0; start < len(views); start += 10 {
		var wg sync.WaitGroup
		errs := make([]error, len(views))
		for i := start; i < min(start+10, len(views)); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				views[i], errs[i] = r.joinOne(ctx)
			}()
		}
		wg.Wait()
		for i := start; i < min(start+10, len(views)); i++ {
			if errs[i] != nil {
				return nil, fmt.Errorf("viewer %d: %w", i, errs[i])
			}
			v := views[i].v
			cl.push(func(ctx context.Context) { _ = v.close(ctx) })
		}
	}
	r.log.Info("viewers receiving", "viewers", len(views))
	return views, nil
}

// joinOne joins one viewer and waits for its first packet.
func (r *soakRig) joinOne(ctx context.Context) (*soakViewer, error) {
	v, err := newViewer(r.gw.api)
	if err != nil {
		return nil, err
	}
	sv := &soakViewer{v: v}
	v.onPacket = sv.tally.add
	loc, err := r.gw.negotiate(ctx, r.gw.client, v.pc)
	if err != nil {
		_ = v.pc.Close()
		return nil, err
	}
	v.release = func(ctx context.Context) error { return r.gw.delete(ctx, r.gw.client, loc) }
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := v.waitReceiving(wctx); err != nil {
		_ = v.close(ctx)
		return nil, err
	}
	return sv, nil
}

// run drives the soak: a reload every reloadEvery (the extra stream added
// or removed), a camera restart every restartEvery, a sample every
// sampleEvery, printed as it is taken.
func (r *soakRig) run(ctx context.Context, views []*soakViewer) ([]soakSample, error) {
	start := time.Now()
	end := start.Add(r.s.duration)
	reload, restart, sample := time.NewTicker(r.s.reloadEvery), time.NewTicker(r.s.restartEvery), time.NewTicker(r.s.sampleEvery)
	defer reload.Stop()
	defer restart.Stop()
	defer sample.Stop()
	var series []soakSample
	reloads, restarts := 0, 0
	fmt.Printf("%8s %10s %10s %8s %8s %8s\n", "t", "rss_mb", "goroutines", "viewers", "reloads", "restarts")
	for time.Now().Before(end) {
		select {
		case <-ctx.Done():
			return series, ctx.Err()
		case <-reload.C:
			reloads++
			if err := r.writeConfig(reloads%2 == 1); err != nil {
				return series, err
			}
			if err := r.gw.proc.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				return series, fmt.Errorf("reload: %w", err)
			}
		case <-restart.C:
			restarts++
			r.stopCamera()
			if err := r.startCamera(ctx); err != nil {
				return series, fmt.Errorf("camera restart %d: %w", restarts, err)
			}
		case now := <-sample.C:
			p, err := r.sample(now.Sub(start), views, reloads, restarts)
			if err != nil {
				return series, err
			}
			series = append(series, p)
			fmt.Printf("%8s %10.1f %10d %8d %8d %8d\n", p.at.Truncate(time.Second), p.rssMB, p.goroutines, p.viewers, reloads, restarts)
		}
	}
	return series, nil
}

// sample measures the gateway and the viewers now.
func (r *soakRig) sample(at time.Duration, views []*soakViewer, reloads, restarts int) (soakSample, error) {
	rss, err := rssMB(r.gw.pid())
	if err != nil {
		return soakSample{}, err
	}
	g, err := r.metric("go_goroutines")
	if err != nil {
		return soakSample{}, err
	}
	alive := 0
	for _, v := range views {
		if !v.dropped() {
			alive++
		}
	}
	return soakSample{at: at, rssMB: rss, goroutines: int(g), viewers: alive, reloads: reloads, restarts: restarts}, nil
}

// rssMB reads VmRSS of pid in MiB.
func rssMB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	kb, err := statusField(string(b), "VmRSS:")
	return float64(kb) / 1024, err
}

// statusField returns the number after name in a /proc status text.
func statusField(status, name string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			var v int64
			if _, err := fmt.Sscan(rest, &v); err == nil {
				return v, nil
			}
		}
	}
	return 0, fmt.Errorf("%s: %w", name, errStatFormat)
}

// metric reads one sample of the gateway's /metrics whose series (name
// and labels, as exposed) is series.
func (r *soakRig) metric(series string) (float64, error) {
	resp, err := r.client.Get(r.gw.base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return findSample(resp.Body, series)
}
