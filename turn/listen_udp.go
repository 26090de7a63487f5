package turn

import (
	"encoding/binary"
	"net"
	"net/netip"

	"mediagate.dev/mediagate/internal/udpbatch"
)

// udpGuard wraps a UDP listening socket of the server. It drops truncated
// datagrams (pion's read loop cannot tell them apart) and the
// unauthenticated requests of a source over its rate: a spoofed source
// could otherwise have the server send 401 answers, larger than the
// requests, to a victim. It reads a batch at a time (recvmmsg(2)) and
// relays the ChannelData of bound channels itself (see fastPath). pion's
// answers leave through it, two of them corrected (recode.go).
type udpGuard struct {
	udpSocket
	lim *limiter
	m   *Metrics
	fix recoder

	// channels are the bound channels of the clients of this socket (see
	// fastPath).
	channels fwdTable[channelKey]

	// The server's single reading goroutine's own state: the batch it
	// read, the datagrams of it left for pion, this batch's fast-path
	// datagrams and the writer that sends them.
	in   *batchReader
	keep []int
	next int
	fwds []toRelay
	out  *udpbatch.Writer

	// The latest source, reused while it does not change.
	lastSrc  netip.AddrPort
	lastAddr *net.UDPAddr
}

// toRelay is a client's ChannelData payload on its way out of a relay.
type toRelay struct {
	rc  *relayConn
	p   []byte
	dst netip.AddrPort
}

// newUDPGuard wraps a listening socket.
func newUDPGuard(s udpSocket, lim *limiter, m *Metrics, rules *recodeRules) *udpGuard {
	return &udpGuard{udpSocket: s, lim: lim, m: m, fix: recoder{rules: rules}}
}

// WriteTo implements net.PacketConn: pion sends its answers, Data
// indications and ChannelData through it.
func (g *udpGuard) WriteTo(b []byte, addr net.Addr) (int, error) {
	out := g.fix.outbound(b)
	n, err := g.udpSocket.WriteTo(out, addr)
	if err == nil && n == len(out) {
		n = len(b)
	}
	return n, err
}

// ReadFrom implements net.PacketConn.
func (g *udpGuard) ReadFrom(b []byte) (int, net.Addr, error) {
	if g.in == nil {
		in, err := newBatchReader(g.udpSocket, listenBatch, len(b))
		if err != nil {
			return 0, nil, err
		}
		g.in, g.out = in, udpbatch.NewWriter(listenBatch)
	}
	for {
		for g.next < len(g.keep) {
			d := &g.in.dgs[g.keep[g.next]]
			g.next++
			if n, addr, ok := g.deliver(d, b); ok {
				return n, addr, nil
			}
		}
		dgs, err := g.in.read()
		if err != nil {
			return 0, nil, err
		}
		g.keep, g.next = g.keep[:0], 0
		g.sortBatch(dgs)
	}
}

// deliver copies d into pion's buffer b unless the rate limit drops it.
func (g *udpGuard) deliver(d *datagram, b []byte) (int, net.Addr, bool) {
	if d.n > len(b) { // a smaller buffer than the first: never deliver short
		g.m.requestErrors.Inc()
		return 0, nil, false
	}
	if g.lastAddr == nil || d.src != g.lastSrc {
		g.lastSrc, g.lastAddr = d.src, net.UDPAddrFromAddrPort(d.src)
	}
	if unauthenticated(d.payload()) && !g.lim.allow(g.lastAddr) {
		g.m.rateLimited.WithLabelValues("udp").Inc()
		return 0, nil, false
	}
	g.fix.inbound(d.payload())
	return copy(b, d.payload()), g.lastAddr, true
}

// sortBatch drops and counts truncated datagrams, relays those of bound
// channels, and leaves the rest for pion.
func (g *udpGuard) sortBatch(dgs []datagram) {
	for i := range dgs {
		d := &dgs[i]
		switch {
		case d.trunc:
			g.m.requestErrors.Inc()
		case !g.forward(d):
			g.keep = append(g.keep, i)
		}
	}
	g.flushRelays()
}

// forward queues a client's ChannelData on a bound channel for its relay,
// through the policy, and reports whether the fast path took it.
func (g *udpGuard) forward(d *datagram) bool {
	b := d.payload()
	if len(b) < 4 || b[0]&0xC0 != 0x40 {
		return false
	}
	fwd, ok := g.channels.get(channelKey{d.src, binary.BigEndian.Uint16(b[0:2])})
	if !ok {
		return false
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if 4+n > len(b) {
		return false // malformed: pion answers it
	}
	if dst, ok := fwd.relay.route(fwd.peer); ok {
		g.fwds = append(g.fwds, toRelay{fwd.relay, b[4 : 4+n], dst})
	}
	return true
}

// flushRelays sends the batch's fast-path datagrams, one sendmmsg(2) per
// relay socket.
func (g *udpGuard) flushRelays() {
	for len(g.fwds) > 0 {
		rc, rest := g.fwds[0].rc, g.fwds[:0]
		for _, f := range g.fwds {
			switch {
			case f.rc != rc:
				rest = append(rest, f)
			case g.out.Add(f.p, f.dst):
				g.sendTo(rc)
			}
		}
		g.sendTo(rc)
		clear(g.fwds[len(rest):])
		g.fwds = rest
	}
}

// sendTo flushes the writer out of rc, counting what it relayed and what
// the kernel refused.
func (g *udpGuard) sendTo(rc *relayConn) {
	res := g.out.Flush(rc.udpSocket)
	rc.m.relayed(true, res.Packets, res.Bytes)
	if res.Failed > 0 {
		g.m.requestErrors.Add(float64(res.Failed))
	}
}
