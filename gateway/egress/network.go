package egress

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/internal/srtpseam"
)

// portAttempts is how often binding retries with another port when the
// configured UDP port is 0 and the port the first address got is taken on
// another address.
const portAttempts = 5

// tcpMuxReadBuffer is the per-connection packet buffer of the ICE-TCP mux.
const tcpMuxReadBuffer = 8

// iceSockets are the sockets every viewer's ICE shares: one UDP port bound
// on each usable local address (pion's UDP mux demultiplexes sessions by
// ICE ufrag), and optionally one passive ICE-TCP listener (RFC 6544).
type iceSockets struct {
	udp      ice.UDPMux
	tcp      ice.TCPMux
	networks []webrtc.NetworkType
	udpPort  int
	// seams wrap the UDP sockets: they note the DTLS hellos that, with
	// keys, the viewers' key log, give the fast path each viewer's SRTP
	// keys (fastlink.go).
	seams []*fastSocket
	keys  *srtpseam.KeyLog
}

// listenICE binds the ICE sockets. Local addresses are enumerated once:
// an interface or address that appears later needs a new Manager.
func listenICE(cfg *Config, lf logging.LoggerFactory) (*iceSockets, error) {
	addrs, err := localAddrs(cfg.Interfaces, cfg.IncludeLoopback)
	if err != nil {
		return nil, err
	}
	conns, err := bindUDP(addrs, cfg.UDPPort)
	if err != nil {
		return nil, err
	}
	logger := lf.NewLogger("ice-mux")
	muxes := make([]ice.UDPMux, 0, len(conns))
	s := &iceSockets{udpPort: conns[0].LocalAddr().(*net.UDPAddr).Port, keys: &srtpseam.KeyLog{}}
	for _, c := range conns {
		fs, err := newFastSocket(c)
		if err != nil {
			return nil, errors.Join(err, closeAll(conns))
		}
		s.seams = append(s.seams, fs)
		muxes = append(muxes, ice.NewUDPMuxDefault(ice.UDPMuxParams{Logger: logger, UDPConn: fs.conn}))
	}
	s.udp = ice.NewMultiUDPMuxDefault(muxes...)
	v4, v6 := families(addrs)
	s.networks = appendFamilies(s.networks, v4, v6, webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6)
	if cfg.TCPPort > 0 {
		ln, err := listenTCP(addrs, cfg.TCPPort)
		if err != nil {
			return nil, errors.Join(err, s.udp.Close())
		}
		s.tcp = webrtc.NewICETCPMux(logger, ln, tcpMuxReadBuffer)
		s.networks = appendFamilies(s.networks, v4, v6, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6)
	}
	return s, nil
}

// Close closes the muxes and their sockets.
func (s *iceSockets) Close() error {
	err := s.udp.Close()
	if s.tcp != nil {
		err = errors.Join(err, s.tcp.Close())
	}
	return err
}

// localAddrs lists the unicast addresses ICE may use: those of the named
// interfaces (all interfaces when names is empty) that are up, without
// link-local addresses (they need a zone) and without loopback unless asked.
func localAddrs(names []string, loopback bool) ([]net.IP, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	var out []net.IP
	skippedLoopback := false
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || len(names) > 0 && !slices.Contains(names, ifc.Name) {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			if ipn.IP.IsLoopback() && !loopback {
				skippedLoopback = true
				continue
			}
			out = append(out, ipn.IP)
		}
	}
	if len(out) == 0 && skippedLoopback {
		return nil, fmt.Errorf("no usable address on interfaces [%s]: loopback addresses are used only with webrtc.include_loopback = true",
			strings.Join(names, " "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no usable address on interfaces [%s]", strings.Join(names, " "))
	}
	return out, nil
}

// ICEAddrs lists the local addresses the ICE sockets are bound on, by the
// rule NewManager follows: the unicast addresses of the named interfaces
// (all when none are named) that are up, without link-local ones, and
// without loopback unless loopback is set. The TURN policy relays only to
// these.
func ICEAddrs(names []string, loopback bool) ([]netip.Addr, error) {
	ips, err := localAddrs(names, loopback)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a.Unmap())
		}
	}
	return out, nil
}

// bindUDP binds port on every address. With port 0 the first address picks
// the port and the others follow it, so all ICE traffic shares one port.
func bindUDP(addrs []net.IP, port int) ([]*net.UDPConn, error) {
	var lastErr error
	for range portAttempts {
		conns, err := bindUDPOnce(addrs, port)
		if err == nil {
			return conns, nil
		}
		lastErr = err
		if port != 0 {
			break
		}
	}
	return nil, lastErr
}

func bindUDPOnce(addrs []net.IP, port int) ([]*net.UDPConn, error) {
	conns := make([]*net.UDPConn, 0, len(addrs))
	for _, ip := range addrs {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
		if err != nil {
			for _, c := range conns {
				_ = c.Close()
			}
			return nil, fmt.Errorf("ice udp listen on %s: %w", net.JoinHostPort(ip.String(), fmt.Sprint(port)), err)
		}
		port = c.LocalAddr().(*net.UDPAddr).Port
		conns = append(conns, c)
	}
	return conns, nil
}

func families(addrs []net.IP) (v4, v6 bool) {
	for _, ip := range addrs {
		if ip.To4() != nil {
			v4 = true
		} else {
			v6 = true
		}
	}
	return v4, v6
}

func appendFamilies(dst []webrtc.NetworkType, v4, v6 bool, t4, t6 webrtc.NetworkType) []webrtc.NetworkType {
	if v4 {
		dst = append(dst, t4)
	}
	if v6 {
		dst = append(dst, t6)
	}
	return dst
}

// addressRewriteRules announces PublicIPs instead of the local addresses
// (1:1 NAT). An entry "public/local" maps one local address; a bare address
// replaces every local address of its family.
func addressRewriteRules(public []string) ([]webrtc.ICEAddressRewriteRule, error) {
	var catchAll []string
	var rules []webrtc.ICEAddressRewriteRule
	for _, p := range public {
		ext, local, pinned := strings.Cut(p, "/")
		if net.ParseIP(ext) == nil || pinned && net.ParseIP(local) == nil {
			return nil, fmt.Errorf("public ip %q: want an address or public/local", p)
		}
		if pinned {
			rules = append(rules, webrtc.ICEAddressRewriteRule{External: []string{ext}, Local: local})
			continue
		}
		catchAll = append(catchAll, ext)
	}
	if len(catchAll) > 0 {
		rules = append(rules, webrtc.ICEAddressRewriteRule{External: catchAll})
	}
	return rules, nil
}

// closeAll closes sockets bound for the ICE mux that never got one.
func closeAll(conns []*net.UDPConn) error {
	var err error
	for _, c := range conns {
		err = errors.Join(err, c.Close())
	}
	return err
}
