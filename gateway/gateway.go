package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/gateway/whep"
)

// Version is the gateway's version, stamped in at build time by cmd/mediagate.
var Version = "dev"

// Gateway is one running mediagate: its streams, sources, viewers and HTTP
// service, built from one Config.
type Gateway struct {
	cfg *config.Config
	log *slog.Logger
	reg *prometheus.Registry
	bus *event.Bus
	hub *stream.Hub

	ingestMetrics *ingest.Metrics
	egress        *egress.Manager
	whep          *whep.Handler

	mu      sync.Mutex
	sources map[string]*ingest.Source

	httpLn  net.Listener
	httpSrv *http.Server
}

// New builds a gateway from cfg and binds all its sockets: the HTTP listener,
// the ICE UDP and TCP ports and every stream's RTP ports. On error nothing is
// left open.
func New(cfg *config.Config, log *slog.Logger) (_ *Gateway, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{
		cfg:     cfg,
		log:     log,
		reg:     prometheus.NewRegistry(),
		bus:     event.New(log.With("component", "events")),
		hub:     stream.NewHub(),
		sources: make(map[string]*ingest.Source),
	}
	g.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	defer func() {
		if err != nil {
			g.closeAll()
		}
	}()
	if err := g.startEgress(); err != nil {
		return nil, err
	}
	g.ingestMetrics = ingest.NewMetrics(g.reg)
	for _, sc := range cfg.Streams {
		if err := g.addStream(sc); err != nil {
			return nil, err
		}
	}
	if err := g.listenHTTP(); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *Gateway) startEgress() error {
	w := g.cfg.WebRTC
	m, err := egress.NewManager(egress.Config{
		Log:             g.log.With("component", "egress"),
		Metrics:         egress.NewMetrics(g.reg),
		UDPPort:         w.UDPPort,
		TCPPort:         w.TCPPort,
		Interfaces:      w.Interfaces,
		PublicIPs:       w.PublicIPs,
		IncludeLoopback: w.IncludeLoopback,
		MaxSessions:     w.MaxSessions,
		SetupTimeout:    w.SetupTimeout.D(),
		QueueDepth:      w.QueueDepth,
	})
	if err != nil {
		return fmt.Errorf("webrtc: %w", err)
	}
	g.egress = m
	return nil
}

// addStream creates the hub's stream for sc and starts its source.
func (g *Gateway) addStream(sc config.Stream) error {
	st := g.newStream(sc)
	scfg, err := ingest.SourceConfigFrom(sc, g.cfg.Ingest)
	if err != nil {
		return fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	src, err := ingest.NewSource(scfg, st, g.log.With("stream", sc.Name), g.ingestMetrics)
	if err != nil {
		return fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	if err := g.hub.Add(st); err != nil {
		_ = src.Close()
		return err
	}
	g.mu.Lock()
	g.sources[sc.Name] = src
	g.mu.Unlock()
	src.Start()
	g.log.Info("stream configured", "stream", sc.Name, "listen", src.LocalAddr().String())
	return nil
}

// Run serves HTTP until ctx ends, then shuts down. It returns nil after a
// clean shutdown.
func (g *Gateway) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- g.httpSrv.Serve(g.httpLn) }()
	g.log.Info("mediagate running", "version", Version, "http", g.httpLn.Addr().String(),
		"streams", len(g.hub.List()))
	select {
	case err := <-errc:
		g.closeAll()
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return g.Shutdown(shutCtx)
}

// Shutdown stops accepting requests, ends every viewer session and closes
// every source. It is safe to call more than once.
func (g *Gateway) Shutdown(ctx context.Context) error {
	var err error
	if g.httpSrv != nil {
		if e := g.httpSrv.Shutdown(ctx); e != nil && !errors.Is(e, http.ErrServerClosed) {
			err = e
		}
	}
	g.closeAll()
	return err
}

func (g *Gateway) closeAll() {
	if g.whep != nil {
		g.whep.Close()
	}
	if g.egress != nil {
		_ = g.egress.Close()
	}
	g.mu.Lock()
	srcs := g.sources
	g.sources = map[string]*ingest.Source{}
	g.mu.Unlock()
	for name, s := range srcs {
		_ = s.Close()
		g.hub.Remove(name)
	}
	if g.httpLn != nil {
		_ = g.httpLn.Close()
	}
}

// HTTPAddr is the address the HTTP listener is bound to.
func (g *Gateway) HTTPAddr() net.Addr { return g.httpLn.Addr() }

// Hub returns the gateway's streams.
func (g *Gateway) Hub() *stream.Hub { return g.hub }

// Bus returns the gateway's event bus.
func (g *Gateway) Bus() *event.Bus { return g.bus }

// Source returns the ingest source of the named stream, or nil.
func (g *Gateway) Source(name string) *ingest.Source {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sources[name]
}

// Status is a one-line summary for systemd's STATUS= and logs.
func (g *Gateway) Status() string {
	up, viewers := 0, int64(0)
	for _, s := range g.hub.List() {
		if s.Up() {
			up++
		}
		viewers += s.Viewers()
	}
	return fmt.Sprintf("%d streams (%d up), %d viewers", len(g.hub.List()), up, viewers)
}
