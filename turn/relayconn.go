package turn

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"mediagate.dev/mediagate/internal/ratelog"
)

// relayConn is the socket of one UDP allocation (RFC 8656 §2.2, the relayed
// transport address), wrapped so that the policy holds for every datagram
// whatever pion's permission state says: pion's permissions name addresses,
// not ports (RFC 8656 §9), so a client allowed to reach the ICE socket
// could otherwise reach every port of the gateway's addresses.
type relayConn struct {
	udpSocket
	pol *policy
	m   *Metrics
	log *ratelog.Logger

	// back maps a local ICE address to the public one the client named,
	// so data from the ICE socket reaches pion under the address its
	// permission and channel carry (NAT 1:1). Copied on write.
	back atomic.Pointer[map[netip.AddrPort]netip.AddrPort]
	// channels are the bound channels of UDP clients, by peer (see
	// fastPath).
	channels fwdTable[netip.AddrPort]

	rd relayReader // the reading goroutine's own state (relayread.go)

	closeOnce sync.Once
	closeErr  error
	release   func()
	timer     *time.Timer
}

// newRelayConn wraps c; release runs once when the conn closes (it gives
// back the quota and unregisters the conn), and the conn closes itself
// after lifetime (0: never), which ends the allocation.
func newRelayConn(c udpSocket, pol *policy, m *Metrics, log *ratelog.Logger, lifetime time.Duration, release func()) *relayConn {
	rc := &relayConn{udpSocket: c, pol: pol, m: m, log: log, release: release}
	if lifetime > 0 {
		rc.timer = time.AfterFunc(lifetime, func() {
			log.Log().Info("turn allocation reached its maximum lifetime", "relay", c.LocalAddr().String(), "lifetime", lifetime)
			_ = rc.Close()
		})
	}
	return rc
}

// WriteTo sends a datagram a client relays (Send indication or ChannelData)
// to addr, if the policy routes it; otherwise it drops and counts it and
// reports success, so that pion does not turn a refused datagram into an
// error per packet.
func (c *relayConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		c.m.drop(dropPeer)
		return len(p), nil
	}
	return c.send(p, ua.AddrPort())
}

// send relays p to the peer the client named, as WriteTo does.
func (c *relayConn) send(p []byte, named netip.AddrPort) (int, error) {
	dst, ok := c.route(named)
	if !ok {
		return len(p), nil
	}
	n, err := c.WriteToUDPAddrPort(p, dst)
	if err == nil {
		c.m.relayed(true, 1, n)
	}
	return n, err
}

// route returns the address a datagram the client sends to named goes
// to, or false when the policy refuses it, which it counts (and logs at
// most once per second).
func (c *relayConn) route(named netip.AddrPort) (netip.AddrPort, bool) {
	dst, why := c.pol.route(named)
	if why != "" {
		c.m.drop(why)
		if c.log.Due() {
			c.log.Log().Warn("turn relay dropped a datagram the policy refuses", "reason", why, "peer", named.String())
		}
		return netip.AddrPort{}, false
	}
	if dst.Addr() != named.Addr().Unmap() {
		c.remember(dst, unmapped(named))
	}
	return dst, true
}

// remember records that local stands for the public address the client
// named.
func (c *relayConn) remember(local, public netip.AddrPort) {
	for {
		old := c.back.Load()
		if old != nil && (*old)[local] == public {
			return
		}
		next := make(map[netip.AddrPort]netip.AddrPort, 1)
		if old != nil {
			for k, v := range *old {
				next[k] = v
			}
		}
		next[local] = public
		if c.back.CompareAndSwap(old, &next) {
			return
		}
	}
}

// Close closes the socket and releases the quota, once.
func (c *relayConn) Close() error {
	c.closeOnce.Do(func() {
		if c.timer != nil {
			c.timer.Stop()
		}
		c.closeErr = c.UDPConn.Close()
		if c.release != nil {
			c.release()
		}
	})
	if errors.Is(c.closeErr, net.ErrClosed) {
		return nil
	}
	return c.closeErr
}
