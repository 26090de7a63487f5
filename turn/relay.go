package turn

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"syscall"
	"time"

	pionturn "github.com/pion/turn/v5"

	"mediagate.dev/mediagate/internal/ratelog"
)

// portTries is how many random ports of the range an allocation tries
// before giving up (pion answers 508 Insufficient Capacity).
const portTries = 64

// relayGen creates the relayed transport address of each allocation
// (RFC 8656 §7.2): a UDP socket on a random port of the range, bound on the
// relay address, announcing the public address of its family, wrapped in
// a relayConn that enforces the policy, the quota and the maximum lifetime.
type relayGen struct {
	bind      netip.Addr   // invalid: the wildcard of the family
	announce  []netip.Addr // at most one per family
	min, max  uint16
	pol       *policy
	quota     *quota
	lifetime  time.Duration
	m         *Metrics
	log       *ratelog.Logger
	fast      *fastPath
	listenUDP func(network string, laddr *net.UDPAddr) (*net.UDPConn, error)
}

var _ pionturn.RelayAddressGenerator = (*relayGen)(nil)

// Validate implements pionturn.RelayAddressGenerator.
func (g *relayGen) Validate() error {
	if g.min == 0 || g.min > g.max {
		return ErrRelayPorts
	}
	return nil
}

// AllocatePacketConn implements pionturn.RelayAddressGenerator: it binds
// the socket of a UDP allocation.
func (g *relayGen) AllocatePacketConn(cfg pionturn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	v4 := cfg.Network == "udp4"
	pub, ok := g.announced(v4)
	if !ok {
		g.m.refused.WithLabelValues("family").Inc()
		return nil, nil, fmt.Errorf("%w (%s)", ErrNoRelayAddress, cfg.Network)
	}
	release, why := g.quota.acquire(cfg.UserID)
	if why != "" {
		g.m.refused.WithLabelValues(why).Inc()
		return nil, nil, fmt.Errorf("%w (%s)", ErrQuota, why)
	}
	conn, err := g.bindPort(cfg.Network, cfg.RequestedPort)
	if err != nil {
		release()
		g.m.refused.WithLabelValues("ports").Inc()
		return nil, nil, err
	}
	_ = conn.SetReadBuffer(relayBuffer)
	_ = conn.SetWriteBuffer(relayBuffer)
	sock, err := newUDPSocket(conn)
	if err != nil {
		_ = conn.Close()
		release()
		return nil, nil, err
	}
	relayed := netip.AddrPortFrom(pub, uint16(conn.LocalAddr().(*net.UDPAddr).Port))
	rc := newRelayConn(sock, g.pol, g.m, g.log, g.lifetime, func() {
		g.fast.removeRelay(relayed)
		release()
	})
	g.fast.addRelay(relayed, rc)
	return rc, net.UDPAddrFromAddrPort(relayed), nil
}

// announced returns the relayed address of the family.
func (g *relayGen) announced(v4 bool) (netip.Addr, bool) {
	for _, a := range g.announce {
		if a.Is4() == v4 {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// bindPort binds the requested port, or a random free one of the range.
func (g *relayGen) bindPort(network string, requested int) (*net.UDPConn, error) {
	ip := g.bindIP(network == "udp4")
	if requested != 0 {
		if requested < int(g.min) || requested > int(g.max) {
			return nil, fmt.Errorf("%w: requested port %d is outside %d-%d", ErrRelayPortsExhausted, requested, g.min, g.max)
		}
		return g.listenUDP(network, &net.UDPAddr{IP: ip, Port: requested})
	}
	span := int(g.max) - int(g.min) + 1
	var lastErr error
	for range min(portTries, span) {
		port := int(g.min) + rand.IntN(span)
		c, err := g.listenUDP(network, &net.UDPAddr{IP: ip, Port: port})
		if err == nil {
			return c, nil
		}
		lastErr = err
		if !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	return nil, fmt.Errorf("%w: %w", ErrRelayPortsExhausted, lastErr)
}

// bindIP is the address relay sockets of the family bind to.
func (g *relayGen) bindIP(v4 bool) net.IP {
	if g.bind.IsValid() && g.bind.Unmap().Is4() == v4 && !g.bind.IsUnspecified() {
		return g.bind.Unmap().AsSlice()
	}
	if v4 {
		return net.IPv4zero
	}
	return net.IPv6unspecified
}

// AllocateListener implements pionturn.RelayAddressGenerator: RFC 6062 TCP
// allocations are refused.
func (g *relayGen) AllocateListener(pionturn.AllocateListenerConfig) (net.Listener, net.Addr, error) {
	g.m.refused.WithLabelValues("tcp_relay").Inc()
	return nil, nil, ErrTCPRelay
}

// AllocateConn implements pionturn.RelayAddressGenerator: no outbound TCP
// connections (RFC 6062 Connect) are made.
func (g *relayGen) AllocateConn(pionturn.AllocateConnConfig) (net.Conn, error) {
	return nil, ErrTCPRelay
}
