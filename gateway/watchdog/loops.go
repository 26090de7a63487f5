package watchdog

import (
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Loops tracks the heartbeats of the media loops, the ingest read loops
// of every configured stream, for the systemd watchdog: cmd/mediagate
// sends WATCHDOG=1 only while the gateway's StuckLoops is empty. It also holds the
// debug.stall_media_loop_after switch, which stalls the loops for real by
// blocking them inside their heartbeat.
type Loops struct {
	log *slog.Logger

	mu      sync.Mutex
	last    map[string]time.Time     // "stream/loop" → its last heartbeat
	gone    map[string]chan struct{} // stream → closed when its source is closed
	stallAt time.Time                // zero: no stall
	stalled bool                     // a stall was logged
}

// New returns an empty Loops that logs the stall switch to log.
func New(log *slog.Logger) *Loops {
	return &Loops{log: log, last: make(map[string]time.Time), gone: make(map[string]chan struct{})}
}

// Heartbeat returns the ingest.SourceConfig.Heartbeat of the named
// stream's source.
func (h *Loops) Heartbeat(name string) func(loop string) {
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
func (h *Loops) beat(name, loop string, gone chan struct{}) {
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

// Forget stops tracking the named stream's loops and releases any that
// are stalled, so that its source can close.
func (h *Loops) Forget(name string) {
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

// ForgetAll forgets every stream, for shutdown.
func (h *Loops) ForgetAll() {
	h.mu.Lock()
	names := make([]string, 0, len(h.gone))
	for name := range h.gone {
		names = append(names, name)
	}
	h.mu.Unlock()
	for _, name := range names {
		h.Forget(name)
	}
}

// SetStall arms the stall switch to fire after d from now, or disarms it
// when d is zero. Loops already stalled stay stalled.
func (h *Loops) SetStall(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stallAt = time.Time{}
	if d > 0 {
		h.stallAt = time.Now().Add(d)
		h.log.Warn("fault injection on: the media loops will stall", "debug.stall_media_loop_after", d.String())
	}
}

// Stuck returns the loops whose last heartbeat is older than after.
func (h *Loops) Stuck(now time.Time, after time.Duration) []string {
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
