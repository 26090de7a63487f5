package config

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// endpoint is a parsed listen address. An invalid or unspecified addr means
// every interface.
type endpoint struct {
	addr netip.Addr
	port uint16
}

// parseEndpoint parses "host:port", where host is an IP literal or empty
// (every interface) and port is 1-65535.
func parseEndpoint(s string) (endpoint, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		return endpoint{}, fmt.Errorf(`must be host:port such as "0.0.0.0:5004" or "[::]:5004" (got %s)`, quote(s))
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return endpoint{}, fmt.Errorf("port must be from 1 to 65535 (got %s)", quote(portStr))
	}
	ep := endpoint{port: uint16(port)}
	if host != "" {
		if ep.addr, err = netip.ParseAddr(host); err != nil {
			return endpoint{}, fmt.Errorf("host must be an IP address, or empty for every interface (got %s)", quote(host))
		}
	}
	return ep, nil
}

func (e endpoint) wildcard() bool { return !e.addr.IsValid() || e.addr.IsUnspecified() }

// binding is one socket a config asks for, named by the key that asks.
type binding struct {
	key string
	ep  endpoint
}

// validateBindings checks that no two sockets of the same protocol collide:
// UDP for the ICE port and every stream's RTP and RTCP ports, TCP for the HTTP
// listener and the ICE-TCP port. Two bindings collide on the same port when
// their addresses are equal or either is a wildcard, which takes the port on
// every address (on Linux "[::]" takes IPv4 too).
func (c *Config) validateBindings(p *problems) {
	udp, tcp := c.bindings()
	clashes(p, "UDP", udp)
	clashes(p, "TCP", tcp)
}

// bindings lists the gateway's own fixed sockets (TURN's aside): the ICE
// UDP port and every stream's RTP and RTCP ports, the HTTP listener and the
// ICE-TCP port.
func (c *Config) bindings() (udp, tcp []binding) {
	if c.WebRTC.UDPPort > 0 && c.WebRTC.UDPPort <= 65535 {
		udp = append(udp, binding{"webrtc.udp_port", endpoint{port: uint16(c.WebRTC.UDPPort)}})
	}
	tcp = appendBinding(tcp, "http.listen", c.HTTP.Listen)
	if c.WebRTC.TCPPort > 0 && c.WebRTC.TCPPort <= 65535 {
		tcp = append(tcp, binding{"webrtc.tcp_port", endpoint{port: uint16(c.WebRTC.TCPPort)}})
	}
	for i, s := range c.Streams {
		udp = appendBinding(udp, fmt.Sprintf("stream[%d].listen", i), s.Listen)
		udp = appendBinding(udp, fmt.Sprintf("stream[%d].rtcp_listen", i), s.RTCPListen)
	}
	return udp, tcp
}

// portUse is who holds one port so far: the first holder, the first
// wildcard holder, and the holder of each specific address.
type portUse struct {
	first, wildcard *binding
	byAddr          map[netip.Addr]*binding
}

// clashes reports each binding that collides with an earlier one.
func clashes(p *problems, proto string, binds []binding) {
	ports := make(map[uint16]*portUse)
	for i := range binds {
		b := &binds[i]
		use := ports[b.ep.port]
		if use == nil {
			use = &portUse{byAddr: make(map[netip.Addr]*binding)}
			ports[b.ep.port] = use
		}
		if prev := use.holder(b.ep); prev != nil {
			p.add(b.key, "%s port %d is already taken by %s", proto, b.ep.port, prev.key)
			continue
		}
		if use.first == nil {
			use.first = b
		}
		if b.ep.wildcard() {
			use.wildcard = b
		} else {
			use.byAddr[b.ep.addr] = b
		}
	}
}

// holder returns the earlier binding ep collides with, or nil.
func (u *portUse) holder(ep endpoint) *binding {
	switch {
	case ep.wildcard():
		return u.first
	case u.wildcard != nil:
		return u.wildcard
	default:
		return u.byAddr[ep.addr]
	}
}

// appendBinding adds addr under key when it parses; a bad or empty address
// has its own error already.
func appendBinding(binds []binding, key, addr string) []binding {
	if ep, err := parseEndpoint(addr); err == nil {
		return append(binds, binding{key, ep})
	}
	return binds
}
