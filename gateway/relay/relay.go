package relay

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/turn"
)

// Service is the built-in TURN server as the gateway runs it: started from
// [turn] with a policy that relays only to this gateway's ICE socket (and
// the allow list), and the source of the TURN credentials that WHEP and
// WHIP answers carry in Link headers. A nil *Service is the TURN service
// turned off: it hands out no credentials and closes nothing.
type Service struct {
	srv  *turn.Server
	host string // turn.host at start
}

// Start starts the TURN server when c's [turn] enables it, on the sockets
// systemd passed where their addresses match (the others are closed);
// with [turn] off it closes the passed sockets and returns nil.
func Start(c *config.Config, passed turn.Passed, log *slog.Logger, reg prometheus.Registerer) (*Service, error) {
	tc := c.Turn
	if !tc.Enabled {
		if n := len(passed.UDP) + len(passed.TCP); n > 0 {
			log.Warn("turn is off: closing the TURN sockets systemd passed", "sockets", n)
			passed.Close()
		}
		return nil, nil
	}
	cfg, err := Config(c)
	if err != nil {
		passed.Close()
		return nil, fmt.Errorf("turn: %w", err)
	}
	cfg.Log, cfg.Metrics, cfg.Passed = log, turn.NewMetrics(reg), passed
	if !tc.Secret.IsSet() {
		log.Info("turn.secret is empty: credentials are signed with a random key of this process")
	}
	srv, err := turn.New(cfg)
	if err != nil {
		return nil, err
	}
	log.Info("turn relays to the ICE socket", "ice", addrsString(cfg.Policy.ICE), "public", addrsString(cfg.Policy.Public),
		"port", cfg.Policy.Port, "relayed", addrsString(cfg.RelayAddrs))
	return &Service{srv: srv, host: tc.Host}, nil
}

// Close stops the TURN server, ending every allocation.
func (s *Service) Close() error {
	if s == nil {
		return nil
	}
	return s.srv.Close()
}

// Config translates the gateway's config into the TURN server's, less its
// log, metrics and passed sockets.
func Config(c *config.Config) (turn.Config, error) {
	tc := c.Turn
	ice, err := egress.ICEAddrs(c.WebRTC.Interfaces, c.WebRTC.IncludeLoopback)
	if err != nil {
		return turn.Config{}, err
	}
	cfg := turn.Config{
		Realm:                 tc.Realm,
		UDP:                   tc.UDPListen,
		TCP:                   tc.TCPListen,
		Secret:                []byte(tc.Secret.Reveal()),
		Users:                 tc.UserKeys(),
		CredentialTTL:         tc.CredentialTTL.D(),
		Policy:                turn.Policy{ICE: ice, Public: parseAddrs(c.WebRTC.PublicIPs), Port: uint16(c.WebRTC.UDPPort)},
		MaxAllocations:        tc.MaxAllocations,
		MaxAllocationsPerUser: tc.MaxAllocationsPerUser,
		MaxLifetime:           tc.MaxLifetime.D(),
		UnauthRate:            rate.Limit(tc.UnauthRate),
		UnauthBurst:           tc.UnauthBurst,
	}
	cfg.RelayPortMin, cfg.RelayPortMax, _ = tc.RelayPortRange()
	for _, s := range tc.AllowPeers {
		if p, err := netip.ParsePrefix(s); err == nil {
			cfg.Policy.Allow = append(cfg.Policy.Allow, p)
		}
	}
	if tc.RelayAddress != "" {
		cfg.RelayBind, _ = netip.ParseAddr(tc.RelayAddress)
	}
	cfg.RelayAddrs = relayedAddrs(parseAddrs(tc.PublicIPs), cfg.Policy.Public, cfg.RelayBind, ice)
	if tc.TLS() {
		if cfg.TLSConfig, err = turn.TLSFromFiles(tc.TLSCert, tc.TLSKey); err != nil {
			return turn.Config{}, err
		}
		cfg.TLS = tc.TLSListen
	}
	return cfg, nil
}

// relayedAddrs picks the relayed address of each family clients are told:
// turn.public_ips, else webrtc.public_ips, else the relay bind address,
// else the first ICE address of the family.
func relayedAddrs(turnPublic, icePublic []netip.Addr, bind netip.Addr, ice []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, v4 := range []bool{true, false} {
		pick := func(as []netip.Addr) bool {
			for _, a := range as {
				if a.IsValid() && !a.IsUnspecified() && a.Unmap().Is4() == v4 {
					out = append(out, a.Unmap())
					return true
				}
			}
			return false
		}
		_ = pick(turnPublic) || pick(icePublic) || pick([]netip.Addr{bind}) || pick(ice)
	}
	return out
}

// parseAddrs parses validated IP address strings.
func parseAddrs(ss []string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// addrsString prints addresses for a log line.
func addrsString(as []netip.Addr) string {
	return fmt.Sprint(as)
}

// ICEServers is the WHEP and WHIP handlers' ICEServers: Link headers with
// TURN credentials minted for this one request (RFC 9725 §4.6), naming the
// host the browser reached the gateway at unless turn.host names another.
func (s *Service) ICEServers(r *http.Request, _ string) []string {
	if s == nil {
		return nil
	}
	host := s.host
	if host == "" {
		host = r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			host = h
		}
	}
	return s.srv.Links(host, s.srv.Mint(credentialLabel()))
}

// credentialLabel is the random label of one minted credential: each
// session's credentials are its own, and so is its allocation quota.
func credentialLabel() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
