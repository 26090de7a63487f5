package turn

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	pionturn "github.com/pion/turn/v5"

	"mediagate.dev/mediagate/internal/pionlog"
	"mediagate.dev/mediagate/internal/ratelog"
)

// sweepEvery is how often the per-source limiter forgets idle sources.
const sweepEvery = 30 * time.Second

// closeWait bounds how long Close waits for the allocations to end.
const closeWait = 2 * time.Second

// Server is a running TURN server (RFC 8656) with mediagate's credentials,
// policy, quotas and limits. New starts it; Close stops it.
type Server struct {
	cfg     Config
	secret  []byte
	m       *Metrics
	quota   *quota
	limiter *limiter
	pion    *pionturn.Server
	ls      *listeners
	passed  *Passed // the passed sockets not yet taken, during New
	events  *events
	fast    *fastPath
	log     *ratelog.Logger
	pol     *policy
	auth    *authenticator
	rules   *recodeRules

	udp, tcp, tls []net.Addr // bound listener addresses

	closeOnce sync.Once
	quit      chan struct{}
	done      chan struct{}
}

// New binds every listener of cfg (or takes the passed socket bound to
// its address) and starts serving. On error nothing is left open, the
// passed sockets included.
func New(cfg Config) (_ *Server, err error) {
	cfg = cfg.withDefaults()
	passed := cfg.Passed.clone()
	defer func() {
		if unused := passed.closeRest(); len(unused) > 0 && err == nil {
			cfg.Log.Warn("turn: closed passed sockets that no turn listen address names", "addrs", addrList(unused))
		}
	}()
	if len(cfg.UDP)+len(cfg.TCP)+len(cfg.TLS) == 0 {
		return nil, ErrNoListener
	}
	if len(cfg.TLS) > 0 && (cfg.TLSConfig == nil ||
		len(cfg.TLSConfig.Certificates) == 0 && cfg.TLSConfig.GetCertificate == nil) {
		return nil, ErrNoTLSConfig
	}
	if cfg.RelayPortMin == 0 || cfg.RelayPortMin > cfg.RelayPortMax {
		return nil, ErrRelayPorts
	}
	s := &Server{cfg: cfg, secret: cfg.Secret, m: cfg.Metrics.orDiscard(),
		quota: newQuota(cfg.MaxAllocations, cfg.MaxAllocationsPerUser), fast: newFastPath(),
		quit: make(chan struct{}), done: make(chan struct{})}
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		_, _ = rand.Read(s.secret)
	}
	s.limiter = newLimiter(cfg.UnauthRate, cfg.UnauthBurst, time.Now)
	s.log = ratelog.New(cfg.Log)
	s.pol = compilePolicy(cfg.Policy)
	s.auth = &authenticator{secret: s.secret, realm: cfg.Realm, maxTTL: cfg.CredentialTTL, users: cfg.Users,
		now: time.Now, m: s.m, limiter: s.limiter, log: s.log}
	s.rules = &recodeRules{pol: s.pol, keys: s.auth.lookup}
	s.ls = &listeners{}
	s.passed = &passed
	defer func() {
		if err != nil {
			s.ls.close()
		}
	}()
	if err := s.listen(s.ls); err != nil {
		return nil, err
	}
	if s.pion, err = pionturn.NewServer(s.pionConfig(s.ls)); err != nil {
		return nil, fmt.Errorf("turn: %w", err)
	}
	go s.sweep()
	cfg.Log.Info("turn server listening", "udp", addrList(s.udp), "tcp", addrList(s.tcp), "tls", addrList(s.tls),
		"realm", cfg.Realm, "relay_ports", fmt.Sprintf("%d-%d", cfg.RelayPortMin, cfg.RelayPortMax))
	return s, nil
}

// pionConfig assembles pion's server configuration around the listeners.
func (s *Server) pionConfig(ls *listeners) pionturn.ServerConfig {
	cfg, log, pol := s.cfg, s.log, s.pol
	gen := &relayGen{bind: cfg.RelayBind, announce: cfg.RelayAddrs, min: cfg.RelayPortMin, max: cfg.RelayPortMax,
		pol: pol, quota: s.quota, lifetime: cfg.MaxLifetime, m: s.m, log: log, fast: s.fast, listenUDP: net.ListenUDP}
	permit := s.permitFunc(pol, log)
	var pcs []pionturn.PacketConnConfig
	for _, c := range ls.udp {
		pcs = append(pcs, pionturn.PacketConnConfig{PacketConn: c, RelayAddressGenerator: gen, PermissionHandler: permit})
	}
	var lcs []pionturn.ListenerConfig
	for _, l := range ls.stream {
		lcs = append(lcs, pionturn.ListenerConfig{Listener: l, RelayAddressGenerator: gen, PermissionHandler: permit})
	}
	ev := &events{log: cfg.Log, m: s.m, limiter: s.limiter, errLog: log, fast: s.fast}
	for _, a := range s.tls {
		ev.tlsPorts = append(ev.tlsPorts, a.(*net.TCPAddr).Port)
	}
	s.events = ev
	return pionturn.ServerConfig{
		PacketConnConfigs: pcs,
		ListenerConfigs:   lcs,
		LoggerFactory:     pionlog.Factory{Log: cfg.Log.With("component", "pion-turn"), DebugLevel: pionlog.LevelTrace},
		Realm:             cfg.Realm,
		AuthHandler:       s.auth.handle,
		QuotaHandler:      s.quotaFunc(),
		EventHandler:      ev.handler(),
	}
}

// permitFunc is pion's PermissionHandler: the policy, counted and logged.
func (s *Server) permitFunc(pol *policy, log *ratelog.Logger) pionturn.PermissionHandler {
	return func(client net.Addr, peer net.IP) bool {
		why := pol.permit(addrFromIP(peer))
		if why == "" {
			return true
		}
		s.m.permRefused.WithLabelValues(why).Inc()
		log.Warn("turn permission refused", "reason", why, "client", addrString(client), "peer", peer.String())
		return false
	}
}

// quotaFunc is pion's QuotaHandler, which answers 486 (RFC 8656 §7.2).
func (s *Server) quotaFunc() pionturn.QuotaHandler {
	return func(user, _ string, _ net.Addr) bool {
		if why := s.quota.check(user); why != "" {
			s.m.refused.WithLabelValues(why).Inc()
			return false
		}
		return true
	}
}

// sweep forgets idle sources of the limiter until Close.
func (s *Server) sweep() {
	defer close(s.done)
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			s.limiter.sweep()
		}
	}
}

// Close stops the server: its listeners and their connections, every
// allocation and its relay socket. It waits (up to a bound) until every
// allocation has ended. It is safe to call more than once.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.quit)
		<-s.done
		if e := s.pion.Close(); e != nil && !errors.Is(e, net.ErrClosed) {
			err = e
		}
		s.ls.closeConns()
		deadline := time.Now().Add(closeWait)
		for s.events.live.Load() > 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	})
	return err
}

// Allocations returns the allocations held now.
func (s *Server) Allocations() int { return s.quota.count() }

// Mint returns TURN REST credentials for label, valid for the configured
// credential lifetime. label must not contain ':'.
func (s *Server) Mint(label string) Credentials {
	return Mint(s.secret, label, s.cfg.CredentialTTL, time.Now())
}

// Realm returns the server's realm.
func (s *Server) Realm() string { return s.cfg.Realm }

// Addrs returns the bound addresses of the UDP, TCP and TLS listeners.
func (s *Server) Addrs() (udp, tcp, tls []net.Addr) { return s.udp, s.tcp, s.tls }
