package turn

import (
	"net"
	"net/netip"

	"mediagate.dev/mediagate/internal/udpbatch"
)

// relayReader is the state of a relay socket's reading goroutine (pion's
// one reader per allocation): the batch it read, the datagrams of it left
// for pion, and the fast path's frames toward the client.
type relayReader struct {
	in   *batchReader // created at the first read, sized to pion's buffer
	keep []int        // indices of the batch's datagrams left for pion
	next int          // the next of keep to return

	out   *udpbatch.Writer // ChannelData frames toward the client
	outTo *udpGuard        // the listening socket they leave from

	// The net.Addr of the latest source, reused while it does not change.
	lastSrc  netip.AddrPort
	lastAddr *net.UDPAddr
}

// ReadFrom returns the next datagram a peer sent to the relay that the
// policy admits, truncated ones and those from refused sources dropped
// and counted, and the source translated back to the address the client
// named. Datagrams for a bound channel of a UDP client go straight to the
// client instead (see fastPath). It reads the socket a batch at a time
// (recvmmsg(2)) and answers from the batch until it is used up.
func (c *relayConn) ReadFrom(b []byte) (int, net.Addr, error) {
	r := &c.rd
	if r.in == nil {
		in, err := newBatchReader(c.udpSocket, relayBatch, len(b))
		if err != nil {
			return 0, nil, err
		}
		r.in, r.out = in, udpbatch.NewWriter(relayBatch)
	}
	for {
		for r.next < len(r.keep) {
			d := &r.in.dgs[r.keep[r.next]]
			r.next++
			if d.n > len(b) { // a smaller buffer than the first: never deliver short
				c.m.drop(dropTruncated)
				continue
			}
			return copy(b, d.payload()), r.addr(d.src), nil
		}
		dgs, err := r.in.read()
		if err != nil {
			return 0, nil, err
		}
		r.keep, r.next = r.keep[:0], 0
		c.sortBatch(dgs)
	}
}

// sortBatch drops and counts the batch's truncated datagrams and those
// from sources the policy refuses, sends those of bound channels to the
// client, and leaves the rest for pion.
func (c *relayConn) sortBatch(dgs []datagram) {
	r := &c.rd
	var packets, bytes int
	for i := range dgs {
		d := &dgs[i]
		if d.trunc {
			c.m.drop(dropTruncated)
			continue
		}
		if !c.pol.admits(d.src) {
			c.m.drop(dropPeer)
			continue
		}
		d.src = c.public(unmapped(d.src))
		packets++
		bytes += d.n
		if fwd, ok := c.channels.get(d.src); ok {
			c.toClient(fwd, d)
			continue
		}
		r.keep = append(r.keep, i)
	}
	c.m.relayed(false, packets, bytes)
	c.flushToClient()
}

// public translates a local ICE address back to the public one the client
// named, if it did (NAT 1:1).
func (c *relayConn) public(src netip.AddrPort) netip.AddrPort {
	if back := c.back.Load(); back != nil {
		if pub, ok := (*back)[src]; ok {
			return pub
		}
	}
	return src
}

// toClient frames d as ChannelData in place and queues it for the client.
func (c *relayConn) toClient(fwd *channelFwd, d *datagram) {
	r := &c.rd
	if r.outTo != fwd.guard {
		c.flushToClient()
		r.outTo = fwd.guard
	}
	if r.out.Add(frameChannelData(d.buf, fwd.ch, d.n), fwd.client) {
		c.flushToClient()
	}
}

// flushToClient sends the queued frames (sendmmsg(2)); the kernel's
// refusals are counted.
func (c *relayConn) flushToClient() {
	r := &c.rd
	if r.outTo == nil {
		return
	}
	if res := r.out.Flush(r.outTo.udpSocket); res.Failed > 0 {
		c.m.requestErrors.Add(float64(res.Failed))
	}
}

// addr returns src as a *net.UDPAddr, reusing the previous one when the
// source did not change.
func (r *relayReader) addr(src netip.AddrPort) *net.UDPAddr {
	if r.lastAddr == nil || src != r.lastSrc {
		r.lastSrc, r.lastAddr = src, net.UDPAddrFromAddrPort(src)
	}
	return r.lastAddr
}
