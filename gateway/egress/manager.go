package egress

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/pionlog"
)

// Manager owns the ICE sockets and the one webrtc.API that every viewer
// session shares, and counts the sessions against the caps.
type Manager struct {
	cfg     Config
	api     *webrtc.API
	sockets *iceSockets
	policy  candidatePolicy
	lf      logging.LoggerFactory

	fanMu sync.Mutex
	fans  map[*stream.Track]*fan // the fast path's, by source track

	mu      sync.Mutex
	viewers map[*Viewer]struct{}
	pending int // reserved by NewViewer calls still setting up
	closed  bool

	closeOnce sync.Once
	closeErr  error
}

// NewManager binds the ICE sockets and builds the shared webrtc.API.
func NewManager(cfg Config) (*Manager, error) {
	c := cfg.withDefaults()
	m := &Manager{
		cfg:     c,
		policy:  candidatePolicy{loopback: c.IncludeLoopback, tcp: c.TCPPort > 0},
		lf:      pionlog.Factory{Log: c.Log, DebugLevel: slog.LevelDebug},
		viewers: make(map[*Viewer]struct{}),
		fans:    make(map[*stream.Track]*fan),
	}
	sockets, err := listenICE(&c, m.lf)
	if err != nil {
		return nil, err
	}
	api, err := m.newAPI(sockets)
	if err != nil {
		return nil, errors.Join(err, sockets.Close())
	}
	m.sockets, m.api = sockets, api
	c.Log.Info("egress listening", "udp_port", sockets.udpPort, "tcp_port", c.TCPPort)
	return m, nil
}

func (m *Manager) newAPI(s *iceSockets) (*webrtc.API, error) {
	se, err := m.cfg.settingEngine(s, m.lf, m.policy)
	if err != nil {
		return nil, err
	}
	if !m.cfg.DisableFastPath {
		se.SetDTLSKeyLogWriter(s.keys) // viewers only: the fast path's keys (fastlink.go)
	}
	me, err := newMediaEngine()
	if err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(newInterceptors())), nil
}

// SettingEngine returns the settings every viewer's PeerConnection runs
// with: the shared ICE UDP and TCP ports, the interface filter, the NAT 1:1
// rewrite and the candidate policy. Other sessions of the gateway (WHIP
// publishers) build their API on it, so that they answer on the same ports
// that the firewall and the TURN policy admit.
func (m *Manager) SettingEngine() (webrtc.SettingEngine, error) {
	return m.cfg.settingEngine(m.sockets, m.lf, m.policy)
}

// UDPPort returns the UDP port ICE listens on (useful when Config.UDPPort is 0).
func (m *Manager) UDPPort() int { return m.sockets.udpPort }

// Sessions reports the viewer sessions, including those being set up.
func (m *Manager) Sessions() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.viewers) + m.pending
}

// Close closes every viewer session, then the ICE sockets. It is idempotent.
func (m *Manager) Close() error {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.closed = true
		viewers := make([]*Viewer, 0, len(m.viewers))
		for v := range m.viewers {
			viewers = append(viewers, v)
		}
		m.mu.Unlock()
		var wg sync.WaitGroup
		for _, v := range viewers {
			wg.Go(v.Close)
		}
		wg.Wait()
		m.closeErr = m.sockets.Close()
	})
	return m.closeErr
}

// reserve takes one session slot of the gateway and one viewer slot of s.
func (m *Manager) reserve(s *stream.Stream, sm *streamMetrics) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.closed:
		return ErrClosed
	case m.cfg.MaxSessions > 0 && len(m.viewers)+m.pending >= m.cfg.MaxSessions:
		return fmt.Errorf("%w: %d sessions", ErrCapacity, m.cfg.MaxSessions)
	}
	if n := s.AddViewer(1); s.MaxViewers > 0 && n > int64(s.MaxViewers) {
		s.AddViewer(-1)
		return fmt.Errorf("%w: stream %s has %d viewers", ErrCapacity, s.Name, s.MaxViewers)
	}
	m.pending++
	sm.viewers.Inc()
	return nil
}

// unreserve gives back a reservation that never became a viewer.
func (m *Manager) unreserve(s *stream.Stream, sm *streamMetrics) {
	m.mu.Lock()
	m.pending--
	m.mu.Unlock()
	s.AddViewer(-1)
	sm.viewers.Dec()
}

// register turns a reservation into a live viewer; the viewer's teardown
// releases it.
func (m *Manager) register(v *Viewer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending--
	m.viewers[v] = struct{}{}
	if m.closed {
		return ErrClosed
	}
	return nil
}

// release forgets a viewer and gives back its slots.
func (m *Manager) release(v *Viewer) {
	m.mu.Lock()
	delete(m.viewers, v)
	m.mu.Unlock()
	v.stream.AddViewer(-1)
	v.metrics.viewers.Dec()
}
