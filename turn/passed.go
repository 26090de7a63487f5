package turn

import (
	"net"
	"net/netip"
	"slices"
)

// Passed are listening sockets the process was handed, by systemd's socket
// activation (a socket unit binds them, so that the service itself needs
// no capability for port 443), for the Server to serve on instead of
// binding its own. Each is taken by the listen address it is bound to: a
// UDP address in Config.UDP takes the passed UDP socket bound to exactly
// that address, and an address in Config.TCP or Config.TLS the passed TCP
// listener. New closes the passed sockets no address takes, and logs them.
type Passed struct {
	UDP []*net.UDPConn
	TCP []*net.TCPListener
}

// clone returns p with slices of its own, so that taking from it leaves
// the caller's Config alone.
func (p Passed) clone() Passed {
	return Passed{UDP: slices.Clone(p.UDP), TCP: slices.Clone(p.TCP)}
}

// takeUDP removes and returns the passed UDP socket bound to addr, or nil.
func (p *Passed) takeUDP(addr *net.UDPAddr) *net.UDPConn {
	for i, c := range p.UDP {
		if sameAddr(c.LocalAddr().(*net.UDPAddr).AddrPort(), addr.AddrPort()) {
			p.UDP = append(p.UDP[:i], p.UDP[i+1:]...)
			return c
		}
	}
	return nil
}

// takeTCP removes and returns the passed TCP listener bound to addr, or nil.
func (p *Passed) takeTCP(addr *net.TCPAddr) *net.TCPListener {
	for i, l := range p.TCP {
		if sameAddr(l.Addr().(*net.TCPAddr).AddrPort(), addr.AddrPort()) {
			p.TCP = append(p.TCP[:i], p.TCP[i+1:]...)
			return l
		}
	}
	return nil
}

// closeRest closes the sockets no address took and returns their
// addresses.
func (p *Passed) closeRest() []net.Addr {
	var out []net.Addr
	for _, c := range p.UDP {
		out = append(out, c.LocalAddr())
	}
	for _, l := range p.TCP {
		out = append(out, l.Addr())
	}
	p.Close()
	p.UDP, p.TCP = nil, nil
	return out
}

// Close closes every socket in p: what a caller does with sockets it was
// passed for a TURN server it does not start.
func (p Passed) Close() {
	for _, c := range p.UDP {
		_ = c.Close()
	}
	for _, l := range p.TCP {
		_ = l.Close()
	}
}

// sameAddr compares a bound address with a configured one: the same port
// and the same IP, an IPv4-mapped IPv6 address being its IPv4 address. A
// configured port of 0 matches nothing.
func sameAddr(bound, want netip.AddrPort) bool {
	return want.Port() != 0 && bound.Port() == want.Port() && bound.Addr().Unmap() == want.Addr().Unmap()
}
