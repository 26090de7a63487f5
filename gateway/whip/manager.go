package whip

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// DefaultSetupTimeout closes a publisher that has not reached ICE connected
// this long after its POST.
const DefaultSetupTimeout = 30 * time.Second

// Config configures a Manager. Only SettingEngine matters for ICE; the
// zero value of everything else works.
type Config struct {
	// SettingEngine configures pion's ICE for every publisher. The gateway
	// passes the one its viewers use, so that publishers share the ICE
	// sockets (one UDP port, demultiplexed by ufrag).
	SettingEngine webrtc.SettingEngine
	// SetupTimeout closes a publisher that has not connected this long
	// after it was created; 0 means DefaultSetupTimeout.
	SetupTimeout time.Duration
	// Demand, when set, reports the bitrate (bit/s) the stream's consumers
	// can take (the RTP output receiver's REMB, the viewers' aggregate);
	// false means no limit. The REMB sent to a publisher is the lower of
	// the link estimate and the demand (bwe.Upstream). It is called every
	// bwe.UpstreamTick per publisher and must not block.
	Demand func(stream string) (bitrate int, ok bool)
	// Log receives the manager's and every publisher's logs; nil discards.
	Log *slog.Logger
	// Metrics counts per stream; nil counts nothing.
	Metrics *Metrics
}

// Target is a WHIP stream and the settings a publisher to it follows.
type Target struct {
	// Stream receives the publication; its tracks exist before anyone
	// publishes and say which codecs a publisher may send.
	Stream *stream.Stream
	// PublishToken is the bearer token a publisher must present. Never
	// log it.
	PublishToken string
	// REMB bounds the REMB sent to the publisher (kbit/s).
	REMB config.REMB
	// KeyframeInterval is the least time between two PLIs sent to the
	// publisher; 0 means one second.
	KeyframeInterval time.Duration
}

// PublishRequest is one WHIP publication request.
type PublishRequest struct {
	// ID names the session in logs and events.
	ID string
	// Target is the stream to publish to.
	Target Target
	// Offer is the publisher's SDP offer.
	Offer string
	// Description is Offer as gateway/signal parsed it, or nil for
	// Publish to parse Offer itself.
	Description *sdp.SessionDescription
	// Remote is the HTTP client's address, for logs and events.
	Remote string
}

// Manager creates publishers and keeps one per stream.
type Manager struct {
	cfg Config

	mu     sync.Mutex
	active map[string]*Publisher // by stream; nil while one is set up
	closed bool
}

// NewManager returns a manager for cfg.
func NewManager(cfg Config) *Manager {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.SetupTimeout <= 0 {
		cfg.SetupTimeout = DefaultSetupTimeout
	}
	return &Manager{cfg: cfg, active: make(map[string]*Publisher)}
}

// Publish checks the offer, creates the publisher and returns it with the
// SDP answer, which carries every local candidate (RFC 9725 §4.3.2), so
// Publish waits for ICE gathering, bounded by ctx. Errors wrap ErrBadOffer,
// ErrUnacceptable, ErrPublishing, ErrNoStream or ErrClosed.
func (m *Manager) Publish(ctx context.Context, req PublishRequest) (*Publisher, string, error) {
	st := req.Target.Stream
	if st == nil {
		return nil, "", ErrNoStream
	}
	if req.Description == nil {
		sd, err := parseOffer(req.Offer)
		if err != nil {
			return nil, "", err
		}
		req.Description = sd
	}
	if err := checkDescription(req.Description, st.Video != nil); err != nil {
		return nil, "", err
	}
	if err := m.reserve(st.Name); err != nil {
		return nil, "", err
	}
	p, answer, err := m.open(ctx, req)
	if err != nil {
		m.release(st.Name, nil)
		return nil, "", err
	}
	m.mu.Lock()
	closed := m.closed
	if !closed {
		m.active[st.Name] = p
	}
	m.mu.Unlock()
	if closed {
		p.end("shutdown")
		<-p.Done()
		m.release(st.Name, nil)
		return nil, "", ErrClosed
	}
	return p, answer, nil
}

// open builds the PeerConnection and the publisher and negotiates.
func (m *Manager) open(ctx context.Context, req PublishRequest) (*Publisher, string, error) {
	api, err := newAPI(m.cfg.SettingEngine, req.Target.Stream)
	if err != nil {
		return nil, "", err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
	if err != nil {
		return nil, "", fmt.Errorf("whip: new peer connection: %w", err)
	}
	p := newPublisher(m, req, pc)
	answer, err := p.negotiate(ctx, req.Description)
	if err != nil {
		p.end(reasonAborted)
		<-p.Done()
		return nil, "", err
	}
	p.start()
	return p, answer, nil
}

// reserve takes the stream's publisher slot.
func (m *Manager) reserve(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if _, busy := m.active[name]; busy {
		return fmt.Errorf("%w: stream %s", ErrPublishing, name)
	}
	m.active[name] = nil
	return nil
}

// release frees the stream's slot if p (nil: a reservation) holds it.
func (m *Manager) release(name string, p *Publisher) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.active[name]; ok && cur == p {
		delete(m.active, name)
	}
}

// Publisher returns the stream's connected or connecting publisher, or nil.
func (m *Manager) Publisher(stream string) *Publisher {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active[stream]
}

// Close ends every publisher and refuses new ones. It is idempotent and
// returns once every publisher has finished.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	var all []*Publisher
	for _, p := range m.active {
		if p != nil {
			all = append(all, p)
		}
	}
	m.mu.Unlock()
	for _, p := range all {
		p.end("shutdown")
	}
	for _, p := range all {
		<-p.Done()
	}
}
