package senders

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// Hub finds the running streams, configured or created here; *stream.Hub
// is one.
type Hub interface {
	// Get returns the named stream, or nil.
	Get(name string) *stream.Stream
}

// Streams holds the streams created through the sender API and implements
// api.SenderStreams. Its exported fields are its dependencies; set them
// before Start and leave them alone afterwards. Config, Hub, Add and Remove
// must be set.
type Streams struct {
	// Config returns the running config: senders.*, ingest.port_range, the
	// configured streams and webrtc.public_ips are read from it per call.
	Config func() *config.Config
	// Hub finds the running streams.
	Hub Hub
	// Add creates a stream and starts its source. An error wrapping
	// ingest.ErrListen means its port is taken, and the next one is tried.
	Add func(config.Stream) error
	// Remove removes a running stream with its viewers.
	Remove func(name string)
	// SourceTimeout is ingest.source_timeout: how long a stream is silent
	// before it is seen down.
	SourceTimeout time.Duration
	// IsLocal reports whether an address is one of this host's; nil means
	// HostHasAddr.
	IsLocal func(netip.Addr) bool
	// Log receives a line per stream created or removed; nil discards.
	Log *slog.Logger
	// Registerer receives the metrics at Start; nil counts nothing.
	Registerer prometheus.Registerer

	mu      sync.Mutex
	streams map[string]*apiStream
	cursor  int // where the next port search starts in ingest.port_range
	met     *metrics

	stopOnce sync.Once
	stop     chan struct{} // nil until Start
	done     chan struct{}
}

// apiStream is one stream created through the API.
type apiStream struct {
	token string
	sdp   string // the answer or offer it was created with
	// silentSince is when its sender last went silent (its creation when it
	// never sent); zero while it sends.
	silentSince time.Time
}

// Start registers the metrics and starts the goroutine that removes the
// streams whose sender has been silent for senders.idle_timeout. Call it
// once.
func (s *Streams) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return
	}
	if s.Registerer != nil {
		s.met = newMetrics(s.Registerer)
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.reapSilent(s.stop, s.done)
}

// Close stops the reaper. The streams stay: the gateway closes their
// sources with every other source. It is idempotent and safe before Start
// and on a nil *Streams.
func (s *Streams) Close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.mu.Unlock()
	if stop == nil {
		return
	}
	s.stopOnce.Do(func() { close(stop) })
	<-done
}

// Routes registers the sender API on mux beside the API handler h, with
// http.max_body_bytes of the running config.
func (s *Streams) Routes(mux *http.ServeMux, h *api.Handler) {
	(&api.Senders{API: h, Streams: s,
		MaxBodyBytes: s.Config().HTTP.MaxBodyBytes}).Routes(mux)
}

// Token reports an API-created stream's viewer token, and whether the
// stream is running; false for a name it did not create.
func (s *Streams) Token(name string) (string, bool) {
	if s == nil {
		return "", false
	}
	s.mu.Lock()
	a, ok := s.streams[name]
	s.mu.Unlock()
	if !ok {
		return "", false
	}
	return a.token, s.Hub.Get(name) != nil
}

// TokenValid reports whether token opens some API-created stream.
func (s *Streams) TokenValid(token string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.streams {
		if a.token != "" && subtle.ConstantTimeCompare([]byte(a.token), []byte(token)) == 1 {
			return true
		}
	}
	return false
}

// drop forgets an API-created stream and removes it with its viewers.
func (s *Streams) drop(name, reason string) {
	s.mu.Lock()
	_, ok := s.streams[name]
	delete(s.streams, name)
	s.mu.Unlock()
	if ok {
		s.Remove(name)
		s.met.removed(reason)
		s.log().Info("API-created stream removed", "stream", name, "reason", reason)
	}
}

func (s *Streams) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Streams) isLocal(a netip.Addr) bool {
	if s.IsLocal == nil {
		return HostHasAddr(a)
	}
	return s.IsLocal(a)
}

// configured returns the stream table of cfg with the name, or nil.
func configured(cfg *config.Config, name string) *config.Stream {
	for i := range cfg.Streams {
		if cfg.Streams[i].Name == name {
			return &cfg.Streams[i]
		}
	}
	return nil
}
