package turn

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// relayConn is the socket of one UDP allocation (RFC 8656 §2.2, the relayed
// transport address), wrapped so that the policy holds for every datagram
// whatever pion's permission state says: pion's permissions name addresses,
// not ports (RFC 8656 §9), so a client allowed to reach the ICE socket
// could otherwise reach every port of the gateway's addresses.
type relayConn struct {
	*net.UDPConn
	pol *policy
	m   *Metrics
	log *rateLog

	// back maps a local ICE address to the public one the client named,
	// so data from the ICE socket reaches pion under the address its
	// permission and channel carry (NAT 1:1). Copied on write.
	back atomic.Pointer[map[netip.AddrPort]netip.AddrPort]
	// channels are the bound channels of UDP clients, by peer (see
	// fastPath).
	channels fwdTable[netip.AddrPort]

	// The reading goroutine's own state: a buffer with room for a
	// ChannelData header before the payload, and the net.Addr of the
	// latest source, reused while it does not change.
	rbuf     []byte
	lastSrc  netip.AddrPort
	lastAddr *net.UDPAddr

	closeOnce sync.Once
	closeErr  error
	release   func()
	timer     *time.Timer
}

// newRelayConn wraps c; release runs once when the conn closes (it gives
// back the quota and unregisters the conn), and the conn closes itself
// after lifetime (0: never), which ends the allocation.
func newRelayConn(c *net.UDPConn, pol *policy, m *Metrics, log *rateLog, lifetime time.Duration, release func()) *relayConn {
	rc := &relayConn{UDPConn: c, pol: pol, m: m, log: log, release: release}
	if lifetime > 0 {
		rc.timer = time.AfterFunc(lifetime, func() {
			log.log.Info("turn allocation reached its maximum lifetime", "relay", c.LocalAddr().String(), "lifetime", lifetime)
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
	dst, why := c.pol.route(named)
	if why != "" {
		c.m.drop(why)
		if c.log.due() {
			c.log.log.Warn("turn relay dropped a datagram the policy refuses", "reason", why, "peer", named.String())
		}
		return len(p), nil
	}
	if dst.Addr() != named.Addr().Unmap() {
		c.remember(dst, unmapped(named))
	}
	n, err := c.WriteToUDPAddrPort(p, dst)
	if err == nil {
		c.m.relayed(true, n)
	}
	return n, err
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

// ReadFrom returns the next datagram a peer sent to the relay that the
// policy admits, truncated ones and those from refused sources dropped
// and counted, and the source translated back to the address the client
// named. Datagrams for a bound channel of a UDP client go straight to the
// client instead (see fastPath).
func (c *relayConn) ReadFrom(b []byte) (int, net.Addr, error) {
	if len(c.rbuf) != 4+len(b)+3 {
		c.rbuf = make([]byte, 4+len(b)+3)
	}
	for {
		n, _, flags, src, err := c.ReadMsgUDPAddrPort(c.rbuf[4:4+len(b)], nil)
		if err != nil {
			return 0, nil, err
		}
		if flags&syscall.MSG_TRUNC != 0 {
			c.m.drop(dropTruncated)
			continue
		}
		if !c.pol.admits(src) {
			c.m.drop(dropPeer)
			continue
		}
		src = unmapped(src)
		if back := c.back.Load(); back != nil {
			if pub, ok := (*back)[src]; ok {
				src = pub
			}
		}
		c.m.relayed(false, n)
		if fwd, ok := c.channels.get(src); ok {
			if _, err := fwd.guard.WriteToUDPAddrPort(frameChannelData(c.rbuf, fwd.ch, n), fwd.client); err != nil {
				c.m.requestErrors.Inc()
			}
			continue
		}
		return copy(b, c.rbuf[4:4+n]), c.addr(src), nil
	}
}

// addr returns src as a *net.UDPAddr, reusing the previous one when the
// source did not change.
func (c *relayConn) addr(src netip.AddrPort) *net.UDPAddr {
	if c.lastAddr == nil || src != c.lastSrc {
		c.lastSrc, c.lastAddr = src, net.UDPAddrFromAddrPort(src)
	}
	return c.lastAddr
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
