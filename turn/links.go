package turn

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Links returns the Link header values (RFC 8288) that hand c to a WHEP or
// WHIP client as ICE servers (RFC 9725 §4.6): one per transport the server
// listens on, UDP first, each naming host at the port of that transport's
// first listener, as turn: URIs (RFC 7065 §3.1) — turns: for TLS. host is a
// DNS name or an IP address, without a port; it returns nil for a host
// that is neither.
func (s *Server) Links(host string, c Credentials) []string {
	h, ok := uriHost(host)
	if !ok {
		return nil
	}
	var out []string
	add := func(scheme string, addrs []net.Addr, transport string) {
		if len(addrs) == 0 {
			return
		}
		uri := scheme + ":" + net.JoinHostPort(h, strconv.Itoa(port(addrs[0]))) + "?transport=" + transport
		out = append(out, link(uri, c))
	}
	add("turn", s.udp, "udp")
	add("turn", s.tcp, "tcp")
	add("turns", s.tls, "tcp")
	return out
}

// link formats one ice-server link. The username and password hold only
// characters that need no escaping in a quoted-string (digits, ':', the
// label's printable ASCII less '"' and '\', base64).
func link(uri string, c Credentials) string {
	return "<" + uri + `>; rel="ice-server"; username="` + quoteEscape(c.Username) +
		`"; credential="` + quoteEscape(c.Password) + `"; credential-type="password"`
}

// quoteEscape escapes '"' and '\' for an RFC 9110 §5.6.4 quoted-string.
func quoteEscape(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return r.Replace(s)
}

// uriHost returns host as it goes in a URI authority: an IPv4 address or a
// DNS name as is, an IPv6 address unbracketed (JoinHostPort brackets it).
func uriHost(host string) (string, bool) {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	host = strings.TrimSuffix(host, ".") // a fully qualified name
	if a, err := netip.ParseAddr(host); err == nil {
		return a.WithZone("").String(), true
	}
	if len(host) == 0 || len(host) > 253 {
		return "", false
	}
	for _, label := range strings.Split(host, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return "", false
			}
		}
	}
	return host, true
}

// port returns the port of a listener address.
func port(a net.Addr) int {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.Port
	case *net.TCPAddr:
		return a.Port
	}
	return 0
}
