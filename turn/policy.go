package turn

import (
	"net/netip"
	"slices"
)

// Policy says where relayed data may go. By default (an empty Allow) a relay
// delivers only to the gateway's own ICE socket: CreatePermission and
// ChannelBind (RFC 8656 §9 and §12) are refused for every other address,
// and data to an ICE address at any port but the ICE port is dropped.
type Policy struct {
	// ICE are the local addresses the gateway's ICE socket is bound on.
	ICE []netip.Addr
	// Public are the addresses announced for ICE instead of the local ones
	// (NAT 1:1). Data a client sends to one of them is delivered to the
	// first local ICE address of the same family, not through the NAT: no
	// hairpin is needed.
	Public []netip.Addr
	// Port is the ICE UDP port.
	Port uint16
	// Allow admits further peers, at any port. It can never admit a
	// loopback, link-local (169.254.0.0/16 holds the cloud metadata
	// service), unspecified, multicast or broadcast address, nor an IPv6
	// address that embeds an IPv4 one.
	Allow []netip.Prefix
}

// policy is a Policy compiled for lookups on the per-packet path.
type policy struct {
	local  map[netip.Addr]bool
	public map[netip.Addr]netip.Addr // public → local ICE address
	port   uint16
	allow  []netip.Prefix
}

func compilePolicy(p Policy) *policy {
	c := &policy{local: make(map[netip.Addr]bool), public: make(map[netip.Addr]netip.Addr), port: p.Port}
	for _, a := range p.ICE {
		if a, ok := normalize(a); ok {
			c.local[a] = true
		}
	}
	for _, pub := range p.Public {
		pub, ok := normalize(pub)
		if !ok || c.local[pub] {
			continue
		}
		if i := slices.IndexFunc(p.ICE, func(l netip.Addr) bool { return l.Unmap().Is4() == pub.Is4() }); i >= 0 {
			c.public[pub] = p.ICE[i].Unmap().WithZone("")
		}
	}
	for _, pfx := range p.Allow {
		c.allow = append(c.allow, pfx.Masked())
	}
	return c
}

// permit decides a CreatePermission or ChannelBind toward ip, which pion
// hands over as the client wrote it. It returns "" to grant, or why not.
func (p *policy) permit(ip netip.Addr) string {
	a, ok := normalize(ip)
	switch {
	case !ok:
		return refuseInvalid
	case p.local[a]:
		return ""
	}
	if _, ok := p.public[a]; ok {
		return ""
	}
	if why := classify(a); why != "" {
		return why
	}
	if p.allowed(a) {
		return ""
	}
	return refuseNotAllowed
}

// allowed reports whether a (normalized, not special) is in the allow list.
func (p *policy) allowed(a netip.Addr) bool {
	for _, pfx := range p.allow {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// route maps the destination of a datagram a client relays to the address
// it is sent to: the ICE socket's own address for an ICE (or public)
// address at the ICE port, the address itself for an allowed peer. It
// returns a drop reason instead when the datagram must not be sent.
func (p *policy) route(dst netip.AddrPort) (netip.AddrPort, string) {
	a, ok := normalize(dst.Addr())
	if !ok {
		return netip.AddrPort{}, dropPeer
	}
	local, isPublic := p.public[a]
	if p.local[a] || isPublic {
		if dst.Port() != p.port {
			return netip.AddrPort{}, dropPort
		}
		if isPublic {
			a = local
		}
		return netip.AddrPortFrom(a, p.port), ""
	}
	if classify(a) != "" || !p.allowed(a) {
		return netip.AddrPort{}, dropPeer
	}
	return netip.AddrPortFrom(a, dst.Port()), ""
}

// admits reports whether a datagram arriving at a relay from src may be
// relayed to the client: from the ICE socket or from an allowed peer.
func (p *policy) admits(src netip.AddrPort) bool {
	a, ok := normalize(src.Addr())
	switch {
	case !ok:
		return false
	case p.local[a]:
		return src.Port() == p.port
	}
	return classify(a) == "" && p.allowed(a)
}
