package output

import (
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"sync"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// ManagerConfig sets up a Manager. Hub is required.
type ManagerConfig struct {
	// Hub holds the streams the Outputs send; the Manager watches it.
	Hub *stream.Hub
	// Log receives the Outputs' logs, each scoped with its stream; nil
	// discards them.
	Log *slog.Logger
	// Metrics counts what the Outputs do; nil counts nothing.
	Metrics *Metrics
}

// Manager runs the [stream.output] of the configured streams: one Output
// per stream that has the table, started and stopped by Sync as the config
// changes, and moved to the hub's new stream the moment a stream is
// rebuilt under its name (a publisher connecting, a changed stream
// re-created), through stream.Hub.Watch. It is safe for concurrent use;
// a nil *Manager has no Outputs.
type Manager struct {
	hub     *stream.Hub
	log     *slog.Logger
	met     *Metrics
	unwatch func()

	syncMu sync.Mutex // serialises Sync and Close, which start and close Outputs

	// mu guards running and closed. It is held only briefly, never while
	// an Output starts or closes, so that the hub's watch never waits.
	mu      sync.Mutex
	running map[string]*running
	closed  bool
}

// running is one running Output and the settings it was started with.
type running struct {
	key startKey
	out *Output
}

// NewManager returns a Manager with no Outputs, watching cfg.Hub.
func NewManager(cfg ManagerConfig) *Manager {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{hub: cfg.Hub, log: cfg.Log, met: cfg.Metrics, running: make(map[string]*running)}
	m.unwatch = cfg.Hub.Watch(func(name string, _ *stream.Stream) { m.follow(name) })
	return m
}

// Sync makes the running Outputs match streams, the configured [[stream]]
// tables: an Output for every stream in the hub whose table has
// [stream.output], restarted when that table or the payload types
// changed, moved when the stream was rebuilt, stopped when the table or
// the stream is gone. It returns the Outputs that failed to start, one
// error per stream naming the key at fault; the next Sync tries again.
// After Close it does nothing.
func (m *Manager) Sync(streams []config.Stream) []error {
	m.syncMu.Lock()
	defer m.syncMu.Unlock()
	if m.isClosed() {
		return nil
	}
	want := make(map[string]bool)
	var failed []error
	for _, sc := range streams {
		st := m.hub.Get(sc.Name)
		if sc.Output == nil || st == nil {
			continue
		}
		want[sc.Name] = true
		if err := m.syncOne(sc, st); err != nil {
			failed = append(failed, err)
		}
	}
	for name, r := range m.snapshot() {
		if !want[name] {
			m.stop(name, r)
		}
	}
	return failed
}

// syncOne brings the Output of one stream, now st, in line with sc;
// syncMu is held.
func (m *Manager) syncOne(sc config.Stream, st *stream.Stream) error {
	key := keyOf(sc)
	if r := m.get(sc.Name); r != nil {
		if reflect.DeepEqual(r.key, key) {
			m.follow(sc.Name)
			return nil
		}
		m.stop(sc.Name, r)
	}
	cfg, err := ConfigFrom(sc, st)
	if err != nil {
		return err
	}
	cfg.Log, cfg.Metrics = m.log.With("stream", sc.Name), m.met
	out, err := Start(cfg)
	if err != nil {
		return fmt.Errorf("stream %q: output: %w", sc.Name, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.running[sc.Name] = &running{key: key, out: out}
	m.followLocked(sc.Name) // the stream may have been rebuilt while the Output started
	return nil
}

// follow moves the named stream's Output to the hub's stream of that name
// when it is another. It is the hub's watch: it does not block.
func (m *Manager) follow(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followLocked(name)
}

// followLocked is follow with mu held. It reads the hub's stream itself
// rather than trust a watch call's, so that calls arriving out of order
// still leave the Output on the latest stream; a removed stream leaves it
// where it is until Sync stops it.
func (m *Manager) followLocked(name string) {
	r := m.running[name]
	if r == nil {
		return
	}
	if st := m.hub.Get(name); st != nil && r.out.Stream() != st {
		r.out.SetStream(st)
	}
}

// Get returns the running Output of the named stream, or nil.
func (m *Manager) Get(name string) *Output {
	if m == nil {
		return nil
	}
	if r := m.get(name); r != nil {
		return r.out
	}
	return nil
}

// REMB returns the latest REMB bitrate, in bits per second, of the named
// stream's receiver, and false when the stream has no Output or its
// receiver sent none lately: the receiver's half of what the stream's
// sender is asked for.
func (m *Manager) REMB(name string) (bps int, ok bool) {
	if o := m.Get(name); o != nil {
		return o.REMB()
	}
	return 0, false
}

// Close stops watching the hub and closes every Output. It is idempotent.
func (m *Manager) Close() {
	if m == nil {
		return
	}
	m.syncMu.Lock()
	defer m.syncMu.Unlock()
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	all := m.running
	m.running = map[string]*running{}
	m.mu.Unlock()
	m.unwatch()
	for _, r := range all {
		_ = r.out.Close()
	}
}

func (m *Manager) get(name string) *running {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.running[name]
}

func (m *Manager) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// snapshot copies the running map, for Sync to range over unlocked.
func (m *Manager) snapshot() map[string]*running {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.running)
}

// stop removes r, the named stream's Output, and closes it; syncMu is held.
func (m *Manager) stop(name string, r *running) {
	m.mu.Lock()
	delete(m.running, name)
	m.mu.Unlock()
	_ = r.out.Close()
}
