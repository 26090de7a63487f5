package gateway

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/stream"
)

// LoopStuckAfter is how long a media loop may go without a heartbeat
// before StuckLoops names it. Loops beat every
// ingest.DefaultHeartbeatInterval, so this allows several missed beats.
const LoopStuckAfter = 5 * ingest.DefaultHeartbeatInterval

// health tracks the heartbeats of the media loops, the ingest read loops
// of every configured stream, for the systemd watchdog: cmd/mediagate
// sends WATCHDOG=1 only while StuckLoops is empty. It also holds the
// debug.stall_media_loop_after switch, which stalls the loops for real by
// blocking them inside their heartbeat.
type health struct {
	log *slog.Logger

	mu      sync.Mutex
	last    map[string]time.Time     // "stream/loop" → its last heartbeat
	gone    map[string]chan struct{} // stream → closed when its source is closed
	stallAt time.Time                // zero: no stall
	stalled bool                     // a stall was logged
}

func newHealth(log *slog.Logger) *health {
	return &health{log: log, last: make(map[string]time.Time), gone: make(map[string]chan struct{})}
}

// heartbeat returns the ingest.SourceConfig.Heartbeat of the named
// stream's source.
func (h *health) heartbeat(name string) func(loop string) {
	h.mu.Lock()
	gone := make(chan struct{})
	h.gone[name] = gone
	h.mu.Unlock()
	return func(loop string) { h.beat(name, loop, gone) }
}

// beat records a heartbeat; once the stall switch has fired it blocks
// instead, until the source is closed. A beat from a source that has been
// forgotten (its loop is ending) records nothing: it must not bring back a
// loop that will never beat again.
func (h *health) beat(name, loop string, gone chan struct{}) {
	now := time.Now()
	h.mu.Lock()
	if h.gone[name] != gone {
		h.mu.Unlock()
		return
	}
	h.last[name+"/"+loop] = now
	stall := !h.stallAt.IsZero() && !now.Before(h.stallAt)
	first := stall && !h.stalled
	h.stalled = h.stalled || stall
	h.mu.Unlock()
	if !stall {
		return
	}
	if first {
		h.log.Warn("debug.stall_media_loop_after: stalling the media loops now")
	}
	<-gone
}

// forget stops tracking the named stream's loops and releases any that
// are stalled, so that its source can close.
func (h *health) forget(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if gone := h.gone[name]; gone != nil {
		close(gone)
		delete(h.gone, name)
	}
	for key := range h.last {
		if streamOfLoop(key) == name {
			delete(h.last, key)
		}
	}
}

// forgetAll forgets every stream, for shutdown.
func (h *health) forgetAll() {
	h.mu.Lock()
	names := make([]string, 0, len(h.gone))
	for name := range h.gone {
		names = append(names, name)
	}
	h.mu.Unlock()
	for _, name := range names {
		h.forget(name)
	}
}

// setStall arms the stall switch to fire after d from now, or disarms it
// when d is zero. Loops already stalled stay stalled.
func (h *health) setStall(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stallAt = time.Time{}
	if d > 0 {
		h.stallAt = time.Now().Add(d)
		h.log.Warn("fault injection on: the media loops will stall", "debug.stall_media_loop_after", d.String())
	}
}

// stuck returns the loops whose last heartbeat is older than after.
func (h *health) stuck(now time.Time, after time.Duration) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for key, t := range h.last {
		if now.Sub(t) > after {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// streamOfLoop returns the stream part of a "stream/loop" key.
func streamOfLoop(key string) string {
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		return key[:i]
	}
	return key
}

// StuckLoops names the media loops ("cam1/rtp") that have not reported
// for LoopStuckAfter; empty means every loop is alive, also when no camera
// sends. cmd/mediagate sends systemd's WATCHDOG=1 only while it is empty.
func (g *Gateway) StuckLoops() []string {
	return g.health.stuck(time.Now(), LoopStuckAfter)
}

// newSource builds the ingest source of one configured stream, feeding st,
// with its heartbeat wired to the watchdog. Ingest settings come from the
// config the gateway started with: they need a restart to change.
func (g *Gateway) newSource(sc config.Stream, st *stream.Stream) (*ingest.Source, error) {
	scfg, err := ingest.SourceConfigFrom(sc, g.reload.boot.Ingest)
	if err != nil {
		return nil, fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	scfg.Heartbeat = g.health.heartbeat(sc.Name)
	if scfg.REMB != nil {
		scfg.REMB.Demand = func() (int, bool) { return g.remb.Demand(sc.Name) }
	}
	src, err := ingest.NewSource(scfg, st, g.log.With("stream", sc.Name), g.ingestMetrics)
	if err != nil {
		g.health.forget(sc.Name)
		return nil, fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	return src, nil
}

// closeSource stops the named stream's source: it releases the source's
// loops from the watchdog (and from a stall) first, so Close can join them.
func (g *Gateway) closeSource(name string, src *ingest.Source) {
	g.health.forget(name)
	_ = src.Close()
}
