package turn

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// The channel fast path. Once a UDP client has bound a channel (RFC 8656
// §12), its ChannelData in both directions is relayed here, by the socket
// wrappers, without entering pion: the relay socket's reader frames a
// peer's datagram as ChannelData in place and sends it to the client, and
// the listening socket's reader sends a client's ChannelData payload out of
// the relay socket, through the same policy check as every other datagram.
// Both read a batch at a time and send what the batch holds for one socket
// with one call (batch.go).
// pion still decides everything else (authentication, allocations,
// permissions, channel binding and its lifetime); this mirrors its channel
// table from the channel events, so a binding that pion removes stops here
// too. Clients over TCP and TLS, and Send and Data indications, take pion's
// path.

// channelFwd is where one bound channel's datagrams go.
type channelFwd struct {
	ch     uint16
	guard  *udpGuard      // the listening socket the client uses
	client netip.AddrPort // the client's address
	relay  *relayConn
	peer   netip.AddrPort // the peer as the client named it, unmapped
}

// channelKey names a channel from the client's side.
type channelKey struct {
	client netip.AddrPort
	ch     uint16
}

// fastPath is the registry of relay sockets, listening sockets and bound
// channels the wrappers consult.
type fastPath struct {
	mu     sync.Mutex
	relays map[netip.AddrPort]*relayConn // by relayed (announced) address
	guards map[netip.AddrPort]*udpGuard  // by listening address
}

func newFastPath() *fastPath {
	return &fastPath{relays: make(map[netip.AddrPort]*relayConn), guards: make(map[netip.AddrPort]*udpGuard)}
}

func (f *fastPath) addRelay(relayed netip.AddrPort, rc *relayConn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.relays[relayed] = rc
}

func (f *fastPath) removeRelay(relayed netip.AddrPort) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.relays, relayed)
}

func (f *fastPath) addGuard(g *udpGuard) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.guards[addrPort(g.LocalAddr())] = g
}

// bound mirrors a new channel of a UDP client (pion's OnChannelCreated).
func (f *fastPath) bound(client, local, relayed, peer net.Addr, ch uint16) {
	if _, udp := client.(*net.UDPAddr); !udp {
		return
	}
	f.mu.Lock()
	rc, g := f.relays[addrPort(relayed)], f.guards[addrPort(local)]
	f.mu.Unlock()
	if rc == nil || g == nil {
		return
	}
	p := addrPort(peer)
	fwd := &channelFwd{ch: ch, guard: g, client: addrPort(client), relay: rc,
		peer: netip.AddrPortFrom(p.Addr().Unmap(), p.Port())}
	rc.channels.set(fwd.peer, fwd)
	g.channels.set(channelKey{fwd.client, ch}, fwd)
}

// unbound forgets a channel (pion's OnChannelDeleted).
func (f *fastPath) unbound(client, relayed, peer net.Addr, ch uint16) {
	f.mu.Lock()
	rc := f.relays[addrPort(relayed)]
	var g *udpGuard
	if rc != nil {
		if fwd, ok := rc.channels.get(unmapped(addrPort(peer))); ok {
			g = fwd.guard
		}
	}
	f.mu.Unlock()
	if rc != nil {
		rc.channels.del(unmapped(addrPort(peer)))
	}
	if g != nil {
		g.channels.del(channelKey{addrPort(client), ch})
	}
}

// addrPort converts a UDP or TCP address.
func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.AddrPort()
	case *net.TCPAddr:
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

func unmapped(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// fwdTable is a copy-on-write map read on the per-packet path without a lock.
type fwdTable[K comparable] struct {
	mu sync.Mutex
	m  atomic.Pointer[map[K]*channelFwd]
}

func (t *fwdTable[K]) get(k K) (*channelFwd, bool) {
	m := t.m.Load()
	if m == nil {
		return nil, false
	}
	f, ok := (*m)[k]
	return f, ok
}

func (t *fwdTable[K]) set(k K, f *channelFwd) {
	t.update(func(m map[K]*channelFwd) { m[k] = f })
}

func (t *fwdTable[K]) del(k K) {
	t.update(func(m map[K]*channelFwd) { delete(m, k) })
}

func (t *fwdTable[K]) update(edit func(map[K]*channelFwd)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	next := make(map[K]*channelFwd)
	if old := t.m.Load(); old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	edit(next)
	t.m.Store(&next)
}

// frameChannelData writes the ChannelData header (RFC 8656 §12.4) before
// the n payload bytes at buf[4:] and pads them to four bytes (§12.5),
// returning the message.
func frameChannelData(buf []byte, ch uint16, n int) []byte {
	binary.BigEndian.PutUint16(buf[0:2], ch)
	binary.BigEndian.PutUint16(buf[2:4], uint16(n))
	end := 4 + n
	for end%4 != 0 && end < len(buf) {
		buf[end] = 0
		end++
	}
	return buf[:end]
}
