package turn

import (
	"encoding/binary"
	"net"
	"net/netip"
	"syscall"
)

// udpGuard wraps a UDP listening socket of the server. It drops truncated
// datagrams (pion's read loop cannot tell them apart) and the
// unauthenticated requests of a source over its rate: a spoofed source
// could otherwise have the server send 401 answers, larger than the
// requests, to a victim.
type udpGuard struct {
	*net.UDPConn
	lim *limiter
	m   *Metrics

	// channels are the bound channels of the clients of this socket (see
	// fastPath).
	channels fwdTable[channelKey]

	// The latest source, reused while it does not change; only the
	// server's single reading goroutine touches them.
	lastSrc  netip.AddrPort
	lastAddr *net.UDPAddr
}

// ReadFrom implements net.PacketConn.
func (g *udpGuard) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, _, flags, src, err := g.ReadMsgUDPAddrPort(b, nil)
		if err != nil {
			return 0, nil, err
		}
		if flags&syscall.MSG_TRUNC != 0 {
			g.m.requestErrors.Inc()
			continue
		}
		if g.forward(b[:n], src) {
			continue
		}
		if g.lastAddr == nil || src != g.lastSrc {
			g.lastSrc, g.lastAddr = src, net.UDPAddrFromAddrPort(src)
		}
		if unauthenticated(b[:n]) && !g.lim.allow(g.lastAddr) {
			g.m.rateLimited.WithLabelValues("udp").Inc()
			continue
		}
		return n, g.lastAddr, nil
	}
}

// forward relays a client's ChannelData on a bound channel straight out of
// the relay socket, and reports whether it did (see fastPath).
func (g *udpGuard) forward(b []byte, src netip.AddrPort) bool {
	if len(b) < 4 || b[0]&0xC0 != 0x40 {
		return false
	}
	fwd, ok := g.channels.get(channelKey{src, binary.BigEndian.Uint16(b[0:2])})
	if !ok {
		return false
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if 4+n > len(b) {
		return false // malformed: pion answers it
	}
	if _, err := fwd.relay.send(b[4:4+n], fwd.peer); err != nil {
		g.m.requestErrors.Inc()
	}
	return true
}
