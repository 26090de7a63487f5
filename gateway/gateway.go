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

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/bwe"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/forward"
	"mediagate.dev/mediagate/gateway/httpserver"
	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/output"
	"mediagate.dev/mediagate/gateway/relay"
	"mediagate.dev/mediagate/gateway/rendition"
	"mediagate.dev/mediagate/gateway/senders"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/gateway/watchdog"
	"mediagate.dev/mediagate/gateway/webhook"
	"mediagate.dev/mediagate/gateway/whep"
	"mediagate.dev/mediagate/gateway/whip"
	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/codecs"
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
	whip          *whip.Handler // WHIP publishers; see whipwire.go

	mu      sync.Mutex
	sources map[string]*ingest.Source

	http *httpserver.Server // HTTP and HTTPS; see http.go

	turn *relay.Service // nil when [turn] is off

	opts       options
	health     *watchdog.Loops // media-loop heartbeats for the watchdog
	reload     reloadState     // see Reload
	closeOnce  sync.Once       // closeServices
	apiMetrics *api.Metrics    // one set for every mux Reload builds
	// adminThrottle counts failed control API authentications per client,
	// across reloads.
	adminThrottle *signal.FailureThrottle

	senders *senders.Streams // streams created through the sender API

	stopHooks func()                  // ends the webhook deliveries
	certs     httpserver.Certificates // the TLS certificates' checks and expiry metric

	renditions *rendition.Manager // transcoded renditions and test patterns
	outputs    *output.Manager    // [stream.output] senders
	remb       *bwe.Router        // viewers' REMB and the demand on each stream's sender
	forwards   *forward.Manager   // [[stream.forward]] WHIP clients; see forwardwire.go
	pulls      map[string]*forward.Pull
	fwdMetrics *forward.Metrics
}

// New builds a gateway from cfg and binds all its sockets: the HTTP listener,
// the ICE UDP and TCP ports and every stream's RTP ports. On error nothing is
// left open.
func New(cfg *config.Config, log *slog.Logger, opts ...Option) (_ *Gateway, err error) {
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
		pulls:   make(map[string]*forward.Pull),
	}
	g.applyOptions(opts)
	g.senders = g.newSenders()
	g.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&g.certs)
	if err := g.certs.Check(cfg, g.log); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			g.closeAll()
		}
	}()
	// Webhooks follow the bus before any stream starts: a test pattern is
	// up at once, and a camera already sending latches on its first packet.
	g.stopHooks = webhook.Follow(g.bus, &webhook.Deliverer{Log: g.log.With("component", "webhook"),
		Metrics: webhook.NewMetrics(g.reg)}, g.config)
	g.renditions = rendition.New(rendition.Config{
		Log: g.log.With("component", "transcoder"), Codecs: codecs.Default(),
		Metrics: transcoder.NewMetrics(g.reg), Settings: g.streamSettings, QueueDepth: cfg.WebRTC.QueueDepth,
		MaxBridges: cfg.WebRTC.MaxBridges, Registerer: g.reg, Streams: g.hub.List,
	})
	g.outputs = output.NewManager(output.ManagerConfig{Hub: g.hub,
		Log: log.With("component", "output"), Metrics: output.NewMetrics(g.reg)})
	g.remb = bwe.NewRouter(bwe.RouterConfig{Bounds: g.rembBounds, ReceiverREMB: g.outputs.REMB, Registerer: g.reg})
	if err := g.startEgress(); err != nil {
		return nil, err
	}
	if g.turn, err = relay.Start(cfg, g.opts.turnSockets, g.log.With("component", "turn"), g.reg); err != nil {
		return nil, err
	}
	if g.whip, err = g.newWHIP(); err != nil {
		return nil, err
	}
	if err := g.startForwards(); err != nil {
		return nil, err
	}
	g.ingestMetrics = ingest.NewMetrics(g.reg)
	for _, sc := range cfg.Streams {
		if err := g.addStream(sc); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(append(g.outputs.Sync(cfg.Streams), g.forwards.Sync(cfg.Streams)...)...); err != nil {
		return nil, err
	}
	if err := g.listenHTTP(); err != nil {
		return nil, err
	}
	g.senders.Start()
	return g, nil
}

// rembBounds returns the named stream's REMB bounds and its transcoder's
// bitrate bounds, in bit/s, for the REMB router.
func (g *Gateway) rembBounds(name string) (remb, encoder bwe.Bounds) {
	sc := g.streamSettings(name)
	return bwe.Bounds{Min: sc.REMB.MinBitrate * 1000, Max: sc.REMB.MaxBitrate * 1000},
		bwe.Bounds{Min: sc.Transcode.MinBitrate * 1000, Max: sc.Transcode.MaxBitrate * 1000}
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
		Renditions:      g.renditions,
		Bridges:         g.renditions,
		OnREMB:          func(v *egress.Viewer, bps float64) { g.remb.OnREMB(v, bps) },
		DisableFastPath: !w.FastPath,
	})
	if err != nil {
		return fmt.Errorf("webrtc: %w", err)
	}
	g.egress = m
	return nil
}

// newSenders builds the sender API's streams: they are added and removed
// like configured streams, but never enter the config.
func (g *Gateway) newSenders() *senders.Streams {
	return &senders.Streams{
		Config:        g.config,
		Hub:           g.hub,
		Add:           g.addStream,
		Remove:        g.removeStream,
		SourceTimeout: g.reload.boot.Ingest.SourceTimeout.D(),
		Log:           g.log.With("component", "senders"),
		Registerer:    g.reg,
	}
}

// addStream creates the hub's stream for sc and starts its source.
func (g *Gateway) addStream(sc config.Stream) error {
	if sc.Source == config.SourceTestPattern {
		return g.addTestPattern(sc)
	}
	if sc.Source == config.SourceWHIP {
		return g.addWHIPStream(sc)
	}
	if sc.Source == config.SourceWHEP {
		return g.addWHEPStream(sc)
	}
	st := g.newStream(sc)
	src, err := g.newSource(sc, st)
	if err != nil {
		return err
	}
	if err := g.hub.Add(st); err != nil {
		g.closeSource(sc.Name, src)
		return err
	}
	g.mu.Lock()
	g.sources[sc.Name] = src
	g.mu.Unlock()
	src.Start()
	g.log.Info("stream configured", "stream", sc.Name, "listen", src.LocalAddr().String(), "start", sc.Start.Mode)
	return nil
}

// addTestPattern creates a testpattern stream and has the renditions start
// its source. A stream of that name already running a pattern is left
// alone: only settings the pattern does not use changed.
func (g *Gateway) addTestPattern(sc config.Stream) error {
	if g.hub.Get(sc.Name) != nil && g.renditions.PatternRunning(sc.Name) {
		return nil
	}
	st := g.newStream(sc)
	if err := g.hub.Add(st); err != nil {
		return fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	if err := g.renditions.StartPattern(st, sc); err != nil {
		g.hub.Remove(sc.Name)
		return fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	return nil
}

// Run serves HTTP until ctx ends, then shuts down. It returns nil after a
// clean shutdown.
func (g *Gateway) Run(ctx context.Context) error {
	errc := make(chan error, 2)
	g.http.Serve(errc)
	g.log.Info("mediagate running", "version", Version, "http", g.http.Addr().String(),
		"streams", len(g.hub.List()))
	select {
	case err := <-errc:
		g.closeAll()
		if errors.Is(err, http.ErrServerClosed) {
			return nil // Shutdown, called by someone else
		}
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return g.Shutdown(shutCtx)
}

// Shutdown stops accepting requests, ends every viewer session and closes
// every source. It is safe to call more than once.
//
// While it ends them, the HTTP listeners stay open and answer every new
// request 503 with Retry-After (a client retries, or goes to another
// gateway, instead of meeting a refused connection); requests in flight
// are cancelled and waited for, within ctx. The listeners close last.
func (g *Gateway) Shutdown(ctx context.Context) error {
	var err error
	if g.http != nil {
		select {
		case <-g.http.Drain():
		case <-ctx.Done():
		}
		g.closeServices()
		err = g.http.Shutdown(ctx)
	}
	g.closeAll()
	return err
}

// closeAll closes everything New opened, the HTTP listeners last. It is
// idempotent.
func (g *Gateway) closeAll() {
	g.closeServices()
	if g.http != nil {
		g.http.Close()
	}
}

// closeServices closes everything but the HTTP listeners, once: it ends
// the sessions, sources, outputs and deliveries.
func (g *Gateway) closeServices() {
	g.closeOnce.Do(g.closeServicesOnce)
}

func (g *Gateway) closeServicesOnce() {
	g.endReloads()
	if g.forwards != nil {
		g.forwards.Close()
	}
	g.closePulls()
	g.outputs.Close()
	g.senders.Close()
	if g.whep != nil {
		g.whep.Close()
	}
	g.closeWHIP()
	_ = g.turn.Close()
	if g.egress != nil {
		_ = g.egress.Close()
	}
	if g.renditions != nil {
		g.renditions.Close()
	}
	g.mu.Lock()
	srcs := g.sources
	g.sources = map[string]*ingest.Source{}
	g.mu.Unlock()
	for name, s := range srcs {
		_ = s.Close()
		g.hub.Remove(name)
	}
	if g.stopHooks != nil {
		g.stopHooks()
	}
}

// HTTPAddr is the address the HTTP listener is bound to.
func (g *Gateway) HTTPAddr() net.Addr { return g.http.Addr() }

// ReloadTLS reads the running config's TLS certificate and key again and
// serves them to every new connection; a file that does not load leaves
// the old certificate in place. Reload calls it, so that `systemctl reload
// mediagate` picks up a renewed certificate.
func (g *Gateway) ReloadTLS() error { return g.http.ReloadTLS(g.config().HTTP.TLS) }

// HTTPSAddr is the address of the HTTPS listener, or nil when HTTPS is off.
func (g *Gateway) HTTPSAddr() net.Addr { return g.http.TLSAddr() }

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

// Output returns the running [stream.output] sender of the named stream,
// or nil.
func (g *Gateway) Output(name string) *output.Output { return g.outputs.Get(name) }

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
