package gateway

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/stream"
)

// startOnly are settings that config.Diff counts as live but that the
// running gateway cannot change yet: the WHEP handler and the egress
// manager take them only when they start. Reload names them as needing a
// restart, like the settings config.Diff marks so, rather than claim it
// applied them. Every other live setting is either applied by Reload
// (log.level, debug.*, the routes' settings, the TLS certificate) or read
// from the running config where it is used (tokens, webhooks, senders).
var startOnly = []string{"http.cors_origins", "http.max_body_bytes", "webrtc.max_sessions",
	"webrtc.setup_timeout", "webrtc.queue_depth"}

// reloadState is what Reload keeps between reloads.
type reloadState struct {
	mu      sync.Mutex // serialises Reload and its end at shutdown
	boot    *config.Config
	pending []string // settings that differ from boot and wait for a restart
	closed  bool
}

// Reload applies cfg, a config the caller loaded from the file, to the
// running gateway and changes only what differs from the running config
// (config.Diff):
//
//   - a stream only in cfg is added, a stream no longer in cfg is removed
//     (its viewers' sessions end); streams created through the API are
//     never touched;
//   - a changed stream whose media (its video and audio tables and
//     max_viewers) are the same keeps its viewers: only its ingest source
//     is replaced, which they see as a camera restart; a stream whose media
//     changed is removed and added again;
//   - the viewers of unchanged streams are never touched;
//   - live global settings take effect (the routes are rebuilt, so
//     http.admin_token applies; the TLS certificate is read again, also
//     when only its file changed); settings that need a restart are
//     logged as such and listed by Notes until the process restarts.
//
// A config that does not validate, one whose TLS certificate or key does
// not load (missing, or a key that does not match), or a new stream whose
// socket cannot be bound, is refused with an error and the running config stays as it was.
// Reloads are serialised; Reload after Shutdown returns ErrShutDown.
func (g *Gateway) Reload(cfg *config.Config) error {
	if cfg == nil {
		return fmt.Errorf("%w: no config", ErrReload)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrReload, err)
	}
	if err := g.certs.Check(cfg, g.log); err != nil {
		return fmt.Errorf("%w: %w", ErrReload, err)
	}
	g.reload.mu.Lock()
	defer g.reload.mu.Unlock()
	if g.reload.closed {
		return ErrShutDown
	}
	ch := config.Diff(g.config(), cfg)
	added, err := g.prepareAdded(cfg, ch)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrReload, err)
	}
	failed := g.applyStreams(cfg, ch, added)
	failed = append(failed, g.outputs.Sync(g.config().Streams)...)
	failed = append(failed, g.forwards.Sync(g.config().Streams)...)
	failed = append(failed, g.applySettings(cfg, ch)...)
	g.logReload(ch, failed)
	if len(failed) > 0 {
		return fmt.Errorf("%w: applied except: %w", ErrReload, errors.Join(failed...))
	}
	return nil
}

// config returns the running config.
func (g *Gateway) config() *config.Config {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cfg
}

// streamSettings returns the running definition of the named stream, or
// the defaults for a stream the config does not hold (the sender API's).
func (g *Gateway) streamSettings(name string) config.Stream {
	if sc := streamNamed(g.config(), name); sc != nil {
		return *sc
	}
	var sc config.Stream
	sc.FillDefaults()
	return sc
}

// prepared is an added stream whose source is bound but not started.
type prepared struct {
	sc  config.Stream
	st  *stream.Stream
	src *ingest.Source
}

// prepareAdded binds the sources of the added streams before anything
// running changes, so that a port in use refuses the whole reload. A
// stream whose port a removed or changed stream still holds is left to
// applyStreams, after that stream has let go of it.
func (g *Gateway) prepareAdded(cfg *config.Config, ch config.Changes) (map[string]prepared, error) {
	out := make(map[string]prepared, len(ch.Added))
	held := g.heldPorts(ch)
	for _, name := range ch.Added {
		sc := streamNamed(cfg, name)
		if g.hub.Get(name) != nil {
			closePrepared(g, out)
			return nil, fmt.Errorf("stream %q: %w", name, stream.ErrExists)
		}
		if held[port(sc.Listen)] || held[port(sc.RTCPListen)] || sc.Source == config.SourceTestPattern ||
			sc.Source == config.SourceWHIP || sc.Source == config.SourceWHEP {
			continue // applyStreams adds it
		}
		st := g.newStream(*sc)
		src, err := g.newSource(*sc, st)
		if err != nil {
			closePrepared(g, out)
			return nil, err
		}
		out[name] = prepared{sc: *sc, st: st, src: src}
	}
	return out, nil
}

func closePrepared(g *Gateway, ps map[string]prepared) {
	for name, p := range ps {
		g.closeSource(name, p.src)
	}
}

// heldPorts returns the UDP ports of the running streams that ch removes
// or changes.
func (g *Gateway) heldPorts(ch config.Changes) map[string]bool {
	held := make(map[string]bool)
	running := g.config()
	for _, name := range slices.Concat(ch.Removed, ch.Changed) {
		if sc := streamNamed(running, name); sc != nil {
			held[port(sc.Listen)] = true
			if sc.RTCPListen != "" {
				held[port(sc.RTCPListen)] = true
			}
		}
	}
	delete(held, "")
	return held
}

// port returns the port of a host:port address, or "".
func port(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

func streamNamed(cfg *config.Config, name string) *config.Stream {
	for i := range cfg.Streams {
		if cfg.Streams[i].Name == name {
			return &cfg.Streams[i]
		}
	}
	return nil
}
