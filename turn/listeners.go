package turn

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
)

// Socket buffers (SO_RCVBUF, SO_SNDBUF; the kernel caps them at
// net.core.rmem_max and wmem_max): a listening socket carries every UDP
// client's traffic toward the peers, a relay socket one allocation's.
const (
	listenBuffer = 4 << 20
	relayBuffer  = 1 << 20
)

// listeners are the sockets a Server serves on, wrapped: UDP sockets in a
// udpGuard; TCP and TLS listeners in a tcpGuard (connection limits), TLS,
// and a frameListener (request limits), in that order.
type listeners struct {
	udp    []net.PacketConn
	stream []net.Listener
	guards []*tcpGuard
}

// close closes the listeners and the connections they accepted.
func (ls *listeners) close() {
	for _, c := range ls.udp {
		_ = c.Close()
	}
	for _, l := range ls.stream {
		_ = l.Close()
	}
	ls.closeConns()
}

// closeConns closes the TCP and TLS connections the listeners accepted.
func (ls *listeners) closeConns() {
	for _, g := range ls.guards {
		g.closeConns()
	}
}

// listen binds every configured listener into ls, taking the passed
// sockets bound to configured addresses instead of binding those.
func (s *Server) listen(ls *listeners) error {
	for _, addr := range s.cfg.UDP {
		ua, err := net.ResolveUDPAddr("udp", addr)
		if err != nil {
			return fmt.Errorf("turn udp %s: %w", addr, err)
		}
		c := s.passed.takeUDP(ua)
		if c == nil {
			if c, err = net.ListenUDP("udp", ua); err != nil {
				return fmt.Errorf("turn udp: %w", err)
			}
		}
		_ = c.SetReadBuffer(listenBuffer)
		_ = c.SetWriteBuffer(listenBuffer)
		sock, err := newUDPSocket(c)
		if err != nil {
			_ = c.Close()
			return fmt.Errorf("turn udp: %w", err)
		}
		g := newUDPGuard(sock, s.limiter, s.m, s.rules)
		s.fast.addGuard(g)
		ls.udp = append(ls.udp, g)
		s.udp = append(s.udp, c.LocalAddr())
	}
	for _, addr := range s.cfg.TCP {
		l, err := s.listenStream(ls, addr, "tcp", nil)
		if err != nil {
			return err
		}
		ls.stream = append(ls.stream, l)
		s.tcp = append(s.tcp, l.Addr())
	}
	for _, addr := range s.cfg.TLS {
		l, err := s.listenStream(ls, addr, "tls", s.cfg.TLSConfig)
		if err != nil {
			return err
		}
		ls.stream = append(ls.stream, l)
		s.tls = append(s.tls, l.Addr())
	}
	return nil
}

// listenStream binds one TCP listener, or takes the passed one bound to
// addr, with TLS when tc is set.
func (s *Server) listenStream(ls *listeners, addr, transport string, tc *tls.Config) (net.Listener, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("turn %s %s: %w", transport, addr, err)
	}
	var ln net.Listener
	if l := s.passed.takeTCP(ta); l != nil {
		ln = l
	} else if ln, err = net.ListenTCP("tcp", ta); err != nil {
		return nil, fmt.Errorf("turn %s: %w", transport, err)
	}
	g := newTCPGuard(ln, s.limiter, s.m, transport)
	ls.guards = append(ls.guards, g)
	var l net.Listener = g
	if tc != nil {
		tc = tc.Clone()
		if tc.MinVersion == 0 {
			tc.MinVersion = tls.VersionTLS12
		}
		l = tls.NewListener(l, tc)
	}
	return &frameListener{Listener: l, lim: s.limiter, m: s.m, transport: transport, rules: s.rules}, nil
}

// addrList formats addresses for a log line.
func addrList(as []net.Addr) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.String()
	}
	return strings.Join(parts, " ")
}
