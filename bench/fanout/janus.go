package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"
)

const (
	// janusLibDir is where Debian's janus package installs its modules.
	janusLibDir = "/usr/lib/x86_64-linux-gnu/janus"
	// janusHTTPPort is the Janus API port inside the namespace.
	janusHTTPPort = 8088
	// janusVideoPort is the mountpoint's RTP port inside the namespace.
	janusVideoPort = 5004
	// janusMountpoint is the id of the one streaming mountpoint.
	janusMountpoint = 1
	// janusStartTimeout bounds Janus's start-up (until /janus/info answers).
	janusStartTimeout = 20 * time.Second
)

// janusCore is janus.jcfg: log little, gather ICE candidates on the
// namespace's veth only, half-trickle (candidates in the SDP), no STUN, and
// load only the streaming plugin and the HTTP transport.
const janusCore = `general: {
	configs_folder = %q
	plugins_folder = "%[2]s/plugins"
	transports_folder = "%[2]s/transports"
	events_folder = "%[2]s/events"
	loggers_folder = "%[2]s/loggers"
	debug_level = 3
	debug_colors = false
	interface = %q
}
media: {
}
nat: {
	nice_debug = false
	full_trickle = false
	ignore_mdns = true
	ice_enforce_list = %q
}
plugins: {
	disable = %q
}
transports: {
	disable = %q
}
loggers: {
	disable = %q
}
events: {
	broadcast = false
}
`

// janusHTTP is janus.transport.http.jcfg: the plain-HTTP Janus API bound to
// the namespace address, no admin API.
const janusHTTP = `general: {
	json = "plain"
	base_path = "/janus"
	http = true
	port = %d
	ip = %q
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
`

// janusStreaming is janus.plugin.streaming.jcfg: one RTP mountpoint that
// receives the same H.264 as mediagate.
const janusStreaming = `general: {
}
bench: {
	type = "rtp"
	id = %d
	description = "fan-out benchmark"
	audio = false
	video = true
	videoport = %d
	videopt = 96
	videocodec = "h264"
	videofmtp = "profile-level-id=42e01f;packetization-mode=1"
}
`

// writeJanusConfig writes the three config files Janus needs into dir.
func writeJanusConfig(dir string, ns *netns) error {
	disabled := func(kind string, keep ...string) string {
		return strings.Join(otherModules(filepath.Join(janusLibDir, kind), keep), ",")
	}
	files := map[string]string{
		"janus.jcfg": fmt.Sprintf(janusCore, dir, janusLibDir, ns.nsIP, ns.nsIf,
			disabled("plugins", "libjanus_streaming.so"),
			disabled("transports", "libjanus_http.so"),
			disabled("loggers")),
		"janus.transport.http.jcfg":   fmt.Sprintf(janusHTTP, janusHTTPPort, ns.nsIP),
		"janus.plugin.streaming.jcfg": fmt.Sprintf(janusStreaming, janusMountpoint, janusVideoPort),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// otherModules lists the module files (*.so) in dir except those in keep.
func otherModules(dir string, keep []string) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.so"))
	var out []string
	for _, m := range matches {
		if base := filepath.Base(m); !slices.Contains(keep, base) {
			out = append(out, base)
		}
	}
	return out
}

// janus is Janus under test: the process in the namespace, its API client,
// and the one API session that carries every viewer's handle.
type janus struct {
	proc  *child
	ns    *netns
	api   *janusAPI
	sess  *janusSession
	rtc   *viewerAPI
	probe *latencyProbe
}

// startJanus writes the config into dir/janus, starts Janus in ns, checks
// that the process it started is Janus itself (not a wrapper around it) and
// opens the API session the viewers use.
func startJanus(ctx context.Context, dir string, ns *netns, log *slog.Logger) (*janus, error) {
	confDir := filepath.Join(dir, "janus")
	if err := os.MkdirAll(confDir, 0o700); err != nil {
		return nil, fmt.Errorf("janus config dir: %w", err)
	}
	if err := writeJanusConfig(confDir, ns); err != nil {
		return nil, err
	}
	rtc, err := newViewerAPI(viewerNetwork{iface: ns.hostIf, lean: true, stamped: true})
	if err != nil {
		return nil, err
	}
	proc, err := startChild("janus", dir, log, ns.exec("janus", "-F", confDir)...)
	if err != nil {
		return nil, err
	}
	j := &janus{proc: proc, ns: ns, rtc: rtc, api: newJanusAPI(fmt.Sprintf("http://%s:%d/janus", ns.nsIP, janusHTTPPort), log)}
	if err := j.awaitReady(ctx); err != nil {
		proc.stop(syscall.SIGTERM)
		return nil, err
	}
	if j.sess, err = j.api.createSession(ctx); err != nil {
		proc.stop(syscall.SIGTERM)
		return nil, err
	}
	return j, nil
}

// awaitReady waits until the process is Janus and its API answers.
func (j *janus) awaitReady(ctx context.Context) error {
	var pr procReader
	return j.proc.waitFor(ctx, "/janus/info answers", janusStartTimeout, func() error {
		if comm, err := pr.comm(j.proc.pid()); err != nil || comm != "janus" {
			return fmt.Errorf("pid %d is %q, not janus yet", j.proc.pid(), comm)
		}
		resp, err := j.api.client.Get(j.api.base + "/info")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("/janus/info: %s", resp.Status)
		}
		return nil
	})
}

// ingestAddr returns where the mountpoint receives RTP (inside the namespace).
func (j *janus) ingestAddr() *net.UDPAddr {
	return &net.UDPAddr{IP: j.ns.nsIP.AsSlice(), Port: janusVideoPort}
}

func (j *janus) name() string { return "janus" }

func (j *janus) pid() int { return j.proc.pid() }

func (j *janus) latency() *latencyProbe { return j.probe }

// close ends the API session and stops Janus.
func (j *janus) close(ctx context.Context) {
	if j.sess != nil {
		j.sess.close(ctx)
	}
	j.proc.stop(syscall.SIGTERM)
}

// join opens one Janus viewer: attach a handle, ask to watch the mountpoint,
// take the offer Janus sends as an event, answer it with every candidate in
// the SDP (trickle off) and start. release detaches the handle.
func (j *janus) join(ctx context.Context) (*viewer, error) {
	handle, events, err := j.sess.attach(ctx)
	if err != nil {
		return nil, err
	}
	release := func(ctx context.Context) error { return j.sess.detach(ctx, handle) }
	v, err := j.negotiate(ctx, handle, events)
	if err != nil {
		_ = release(context.WithoutCancel(ctx))
		return nil, err
	}
	v.release = release
	return v, nil
}

// negotiate runs watch → offer → answer → start on a handle.
func (j *janus) negotiate(ctx context.Context, handle uint64, events <-chan janusMsg) (*viewer, error) {
	watch := map[string]any{"request": "watch", "id": janusMountpoint}
	if err := j.sess.message(ctx, handle, watch, nil); err != nil {
		return nil, err
	}
	offer, err := awaitOffer(ctx, events)
	if err != nil {
		return nil, err
	}
	v, err := newViewer(j.rtc)
	if err != nil {
		return nil, err
	}
	v.onPacket = j.probe.observer(v.arrivals)
	if err := j.answer(ctx, v, handle, offer); err != nil {
		_ = v.pc.Close()
		return nil, err
	}
	return v, nil
}

// answer applies Janus's offer to v and sends the answer with "start".
func (j *janus) answer(ctx context.Context, v *viewer, handle uint64, offer string) error {
	if err := v.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fmt.Errorf("set janus offer: %w", err)
	}
	desc, err := v.pc.CreateAnswer(nil)
	if err != nil {
		return fmt.Errorf("create answer: %w", err)
	}
	sdp, err := setLocal(ctx, v.pc, desc)
	if err != nil {
		return err
	}
	j.proc.log.Debug("answer", "sdp", sdp)
	trickle := false
	start := map[string]any{"request": "start"}
	return j.sess.message(ctx, handle, start, &janusJSEP{Type: "answer", SDP: sdp, Trickle: &trickle})
}

// awaitOffer returns the SDP of the first event that carries an offer.
func awaitOffer(ctx context.Context, events <-chan janusMsg) (string, error) {
	for {
		select {
		case ev := <-events:
			if err := ev.err(); err != nil {
				return "", fmt.Errorf("watch: %w", err)
			}
			if ev.JSEP != nil && ev.JSEP.Type == "offer" {
				return ev.JSEP.SDP, nil
			}
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for janus offer: %w", ctx.Err())
		}
	}
}
