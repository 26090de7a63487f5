package srtpseam

import (
	"net"
	"net/netip"
	"sync"
)

// maxFlows bounds the hello table: a flood of spoofed ClientHellos must not
// grow it without end. The oldest flow is dropped first.
const maxFlows = 4096

// Conn wraps the gateway's ICE UDP socket before it is handed to
// ice.NewUDPMuxDefault. It passes every datagram through unchanged and
// notes, from the epoch-0 DTLS handshake records only, which ClientHello
// went to or came from each remote address and the ServerHello that
// answered it. It implements ice.AddrPortReaderWriter so the mux keeps its
// allocation-free path.
type Conn struct {
	*net.UDPConn

	mu       sync.Mutex
	lastCH   map[netip.AddrPort]clientHello     // per remote: the newest ClientHello
	sessions map[[randomLen]byte]Handshake      // by client random
	byRemote map[netip.AddrPort][randomLen]byte // the newest handshake per remote
	order    [][randomLen]byte
}

type clientHello struct {
	random   [randomLen]byte
	outbound bool
}

// Handshake is what the hellos of one DTLS handshake said in the clear.
type Handshake struct {
	// ClientRandom and ServerRandom are the hello randoms.
	ClientRandom, ServerRandom [randomLen]byte
	// CipherSuite is the DTLS cipher suite the server chose; its PRF hash
	// is the exporter's.
	CipherSuite uint16
	// SRTPProfile is the use_srtp profile the server chose (RFC 5764 §4.1.1).
	SRTPProfile uint16
	// ExtendedMasterSecret is true when the ServerHello accepted RFC 7627;
	// the key log then carries the extended master secret, and the
	// exporter is unchanged.
	ExtendedMasterSecret bool
	// IsClient is true when the gateway sent the ClientHello (DTLS client).
	IsClient bool
	// Remote is the address the hellos travelled over.
	Remote netip.AddrPort
}

// NewConn wraps c.
func NewConn(c *net.UDPConn) *Conn {
	return &Conn{
		UDPConn:  c,
		lastCH:   make(map[netip.AddrPort]clientHello),
		sessions: make(map[[randomLen]byte]Handshake),
		byRemote: make(map[netip.AddrPort][randomLen]byte),
	}
}

// ReadFrom reads like net.UDPConn.ReadFrom and notes inbound hellos.
func (c *Conn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, ap, err := c.ReadFromAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(ap), nil
}

// ReadFromAddrPort reads like net.UDPConn.ReadFromUDPAddrPort and notes
// inbound hellos.
func (c *Conn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, ap, err := c.UDPConn.ReadFromUDPAddrPort(b)
	if err == nil && isDTLSHandshake(b[:n]) {
		c.note(b[:n], ap, false)
	}
	return n, ap, err
}

// WriteTo writes like net.UDPConn.WriteTo and notes outbound hellos.
func (c *Conn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if ua, ok := addr.(*net.UDPAddr); ok && isDTLSHandshake(b) {
		c.note(b, ua.AddrPort(), true)
	}
	return c.UDPConn.WriteTo(b, addr)
}

// WriteToAddrPort writes like net.UDPConn.WriteToUDPAddrPort and notes
// outbound hellos.
func (c *Conn) WriteToAddrPort(b []byte, ap netip.AddrPort) (int, error) {
	if isDTLSHandshake(b) {
		c.note(b, ap, true)
	}
	return c.UDPConn.WriteToUDPAddrPort(b, ap)
}

// Handshake returns what the hellos of the handshake with this client
// random said, and false when no ServerHello answered it on this socket.
func (c *Conn) Handshake(clientRandom [randomLen]byte) (Handshake, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.sessions[clientRandom]
	return h, ok
}

func (c *Conn) note(b []byte, remote netip.AddrPort, outbound bool) {
	remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
	for _, h := range parseHellos(b) {
		c.noteHello(h, remote, outbound)
	}
}

func (c *Conn) noteHello(h hello, remote netip.AddrPort, outbound bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !h.server {
		c.lastCH[remote] = clientHello{random: h.random, outbound: outbound}
		return
	}
	ch, ok := c.lastCH[remote]
	if !ok || ch.outbound == outbound {
		return // a ServerHello travels the other way from its ClientHello
	}
	if _, seen := c.sessions[ch.random]; !seen {
		c.order = append(c.order, ch.random)
	}
	c.sessions[ch.random] = Handshake{
		ClientRandom: ch.random, ServerRandom: h.random, CipherSuite: h.suite,
		SRTPProfile: h.profile, ExtendedMasterSecret: h.ems, IsClient: ch.outbound, Remote: remote,
	}
	c.byRemote[remote] = ch.random
	delete(c.lastCH, remote)
	c.evict()
}

func (c *Conn) evict() {
	for len(c.order) > maxFlows {
		c.forget(c.order[0])
		c.order = c.order[1:]
	}
	if len(c.lastCH) > maxFlows {
		clear(c.lastCH)
	}
}

// HandshakeWith returns the newest handshake whose hellos travelled between
// this socket and remote, and false when none did.
func (c *Conn) HandshakeWith(remote netip.AddrPort) (Handshake, bool) {
	remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
	c.mu.Lock()
	defer c.mu.Unlock()
	cr, ok := c.byRemote[remote]
	if !ok {
		return Handshake{}, false
	}
	h, ok := c.sessions[cr]
	return h, ok
}

// Forget drops the handshake with this client random.
func (c *Conn) Forget(clientRandom [randomLen]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget(clientRandom)
}

func (c *Conn) forget(clientRandom [randomLen]byte) {
	if h, ok := c.sessions[clientRandom]; ok && c.byRemote[h.Remote] == clientRandom {
		delete(c.byRemote, h.Remote)
	}
	delete(c.sessions, clientRandom)
}
