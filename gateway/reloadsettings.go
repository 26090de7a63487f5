package gateway

import (
	"fmt"
	"slices"
	"strings"

	"mediagate.dev/mediagate/gateway/config"
)

// applySettings applies the live global settings that ch lists (after
// applyStreams has made cfg the running config): it rebuilds the routes
// from the running config, reads the TLS certificate again (a renewed one
// keeps its file name) and recomputes which settings wait for a restart.
// It returns what failed.
func (g *Gateway) applySettings(cfg *config.Config, ch config.Changes) []error {
	for _, s := range ch.Settings {
		switch s.Key {
		case "log.level":
			g.setLogLevel(cfg.Log.Level)
		case "debug.stall_media_loop_after":
			g.health.SetStall(cfg.Debug.StallMediaLoopAfter.D())
		}
	}
	g.http.SetRoutes(g.newMux())
	g.reload.pending = g.restartNeeded(config.Diff(g.reload.boot, cfg))
	if err := g.ReloadTLS(); err != nil {
		return []error{fmt.Errorf("http.tls: %w", err)}
	}
	return nil
}

// restartNeeded returns the settings in ch that Reload does not apply.
// http.listen does not count when systemd passed the HTTP socket: the
// socket unit decides the address then.
func (g *Gateway) restartNeeded(ch config.Changes) []string {
	var keys []string
	for _, s := range ch.Settings {
		live := !s.Restart && !slices.Contains(startOnly, s.Key)
		if live || (s.Key == "http.listen" && g.opts.httpListener != nil) {
			continue
		}
		keys = append(keys, s.Key)
	}
	return keys
}

// logReload logs what a reload changed and what waits for a restart.
func (g *Gateway) logReload(ch config.Changes, failed []error) {
	var applied, waiting []string
	for _, s := range ch.Settings {
		if slices.Contains(g.reload.pending, s.Key) {
			waiting = append(waiting, s.Key)
		} else {
			applied = append(applied, s.Key)
		}
	}
	g.log.Info("config reloaded", "added", ch.Added, "removed", ch.Removed, "changed", ch.Changed,
		"settings", applied, "failed", len(failed))
	if len(waiting) > 0 {
		g.log.Warn("these settings changed but need a restart to take effect",
			"settings", strings.Join(waiting, ", "))
	}
}

// Notes returns what an operator should know about the running config
// besides Status, for systemd's STATUS= and the log: the settings that
// changed on reload but wait for a restart, and fault injection when it is
// on. It is empty when there is nothing to say.
func (g *Gateway) Notes() []string {
	g.reload.mu.Lock()
	pending := slices.Clone(g.reload.pending)
	g.reload.mu.Unlock()
	var notes []string
	if len(pending) > 0 {
		notes = append(notes, "restart needed for "+strings.Join(pending, ", "))
	}
	if g.config().Debug.FaultInjection() {
		notes = append(notes, "FAULT INJECTION ON ([debug] in the config)")
	}
	return notes
}

// endReloads refuses further reloads, waiting for one in progress, and
// releases the media loops from the watchdog and from a stall so that
// their sources can close. closeAll calls it.
func (g *Gateway) endReloads() {
	g.reload.mu.Lock()
	g.reload.closed = true
	g.reload.mu.Unlock()
	if g.health != nil {
		g.health.ForgetAll()
	}
}
