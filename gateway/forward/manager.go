package forward

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/bwe"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// ManagerConfig sets up a Manager. Hub is required.
type ManagerConfig struct {
	// Hub holds the streams forwarded; the Manager watches it.
	Hub *stream.Hub
	// SettingEngine configures pion's ICE for every session.
	SettingEngine webrtc.SettingEngine
	// QueueDepth is each track subscription's queue; 0 means the default.
	QueueDepth int
	// OnREMB receives the remotes' REMB (bwe.Router.OnConsumerREMB).
	OnREMB func(c bwe.Consumer, bps float64)
	// Renditions supplies the renditions sent to endpoints that refuse a
	// source codec; nil sends the source tracks only.
	Renditions Renditions
	// Log receives the Forwards' logs; nil discards them.
	Log *slog.Logger
	// Metrics counts what the Forwards do; nil counts nothing.
	Metrics *Metrics
}

// Manager runs the [[stream.forward]] tables of the configured streams:
// one Forward per table, started and stopped by Sync as the config
// changes (a changed table is a new Forward; the others are not
// touched), and moved to the hub's new stream the moment a stream is
// rebuilt under its name (stream.Hub.Watch). It is safe for concurrent
// use.
type Manager struct {
	cfg     ManagerConfig
	unwatch func()

	syncMu sync.Mutex // serialises Sync and Close

	mu      sync.Mutex // guards running and closed; never held while a Forward starts or closes
	running map[string]map[config.Forward]*Forward
	closed  bool
}

// NewManager returns a Manager with no Forwards, watching cfg.Hub.
func NewManager(cfg ManagerConfig) *Manager {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{cfg: cfg, running: make(map[string]map[config.Forward]*Forward)}
	m.unwatch = cfg.Hub.Watch(func(name string, _ *stream.Stream) { m.follow(name) })
	return m
}

// Sync makes the running Forwards match the streams' tables: a Forward
// for every table of a stream in the hub, the others stopped (with a
// DELETE of their session). It returns the tables that failed to start,
// naming the key at fault.
func (m *Manager) Sync(streams []config.Stream) []error {
	m.syncMu.Lock()
	defer m.syncMu.Unlock()
	if m.isClosed() {
		return nil
	}
	want := make(map[string]map[config.Forward]bool)
	var failed []error
	for _, sc := range streams {
		st := m.cfg.Hub.Get(sc.Name)
		if st == nil || len(sc.Forward) == 0 {
			continue
		}
		want[sc.Name] = make(map[config.Forward]bool)
		for i, fc := range sc.Forward {
			want[sc.Name][fc] = true
			if f := m.get(sc.Name, fc); f != nil {
				f.PreferSource()
				continue
			}
			f, err := Start(m.configFrom(fc, st))
			if err != nil {
				failed = append(failed, fmt.Errorf("stream %q: forward[%d]: %w", sc.Name, i, err))
				continue
			}
			m.put(sc.Name, fc, f)
		}
		m.follow(sc.Name)
	}
	for name, fs := range m.snapshot() {
		for fc, f := range fs {
			if !want[name][fc] {
				m.remove(name, fc)
				f.Close()
			}
		}
	}
	return failed
}

// configFrom turns one table into a Forward's Config.
func (m *Manager) configFrom(fc config.Forward, st *stream.Stream) Config {
	return Config{
		Stream: st, URL: fc.URL,
		Client: Client{Token: TokenSource(fc.Token, fc.TokenFile), Timeout: fc.RequestTimeout.D(),
			MaxRedirects: fc.MaxRedirects},
		RetryMin: fc.RetryMin.D(), RetryMax: fc.RetryMax.D(),
		SettingEngine: m.cfg.SettingEngine, QueueDepth: m.cfg.QueueDepth, OnREMB: m.cfg.OnREMB,
		Renditions: m.cfg.Renditions, Log: m.cfg.Log, Metrics: m.cfg.Metrics,
	}
}

// TokenSource returns the Client.Token of a token or a token file (read
// at each request); nil when neither is set.
func TokenSource(token config.Secret, file string) func() (string, error) {
	switch {
	case file != "":
		return func() (string, error) { return config.ReadTokenFile(file) }
	case token.IsSet():
		return func() (string, error) { return token.Reveal(), nil }
	}
	return nil
}

// Get returns the running Forwards of the named stream.
func (m *Manager) Get(name string) []*Forward {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Forward
	for _, f := range m.running[name] {
		out = append(out, f)
	}
	return out
}

// Close stops watching the hub and closes every Forward. It is idempotent.
func (m *Manager) Close() {
	m.syncMu.Lock()
	defer m.syncMu.Unlock()
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	all := m.running
	m.running = nil
	m.mu.Unlock()
	m.unwatch()
	var wg sync.WaitGroup
	for _, fs := range all {
		for _, f := range fs {
			wg.Go(f.Close)
		}
	}
	wg.Wait()
}

// follow moves the named stream's Forwards to the hub's stream of that
// name; a removed stream keeps them until Sync stops them. It is the hub's
// watch and does not block.
func (m *Manager) follow(name string) {
	st := m.cfg.Hub.Get(name)
	if st == nil {
		return
	}
	for _, f := range m.Get(name) {
		f.SetStream(st)
	}
}

func (m *Manager) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

func (m *Manager) get(name string, fc config.Forward) *Forward {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.running[name][fc]
}

func (m *Manager) put(name string, fc config.Forward, f *Forward) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running[name] == nil {
		m.running[name] = make(map[config.Forward]*Forward)
	}
	m.running[name][fc] = f
}

func (m *Manager) remove(name string, fc config.Forward) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.running[name], fc)
	if len(m.running[name]) == 0 {
		delete(m.running, name)
	}
}

// snapshot copies the running Forwards, for Sync to range over unlocked.
func (m *Manager) snapshot() map[string]map[config.Forward]*Forward {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]map[config.Forward]*Forward, len(m.running))
	for name, fs := range m.running {
		out[name] = make(map[config.Forward]*Forward, len(fs))
		for fc, f := range fs {
			out[name][fc] = f
		}
	}
	return out
}
