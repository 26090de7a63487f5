package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Bounds Validate enforces on [turn].
const (
	maxTurnListeners     = 16
	maxRealmLen          = 64
	minCredentialTTL     = time.Minute
	maxCredentialTTL     = 7 * 24 * time.Hour
	minTurnLifetime      = time.Minute
	maxTurnLifetime      = 7 * 24 * time.Hour
	maxTurnAllocations   = 100000
	maxTurnPerUser       = 1000
	maxUnauthRate        = 100000
	minRelayPort         = 1024
	maxTurnUsers         = 1000
	maxTurnUserNameLen   = 64
	maxHostLen           = 253
	maxTurnAllowPrefixes = 256
)

// validate checks the [turn] table's own values, whether or not it is
// enabled. Sockets that collide with others are checked by validateTurn.
func (t *Turn) validate(p *problems) {
	if t.Realm == "" || len(t.Realm) > maxRealmLen || !printable(t.Realm) {
		p.add("turn.realm", "must be 1 to %d printable ASCII characters without quotes (got %s)", maxRealmLen, quote(t.Realm))
	}
	for _, l := range []struct {
		key   string
		addrs []string
	}{{"turn.udp_listen", t.UDPListen}, {"turn.tcp_listen", t.TCPListen}, {"turn.tls_listen", t.TLSListen}} {
		if len(l.addrs) > maxTurnListeners {
			p.add(l.key, "at most %d addresses (got %d)", maxTurnListeners, len(l.addrs))
		}
		for i, a := range l.addrs {
			if _, err := parseEndpoint(a); err != nil {
				p.add(fmt.Sprintf("%s[%d]", l.key, i), "%v", err)
			}
		}
	}
	if (t.TLSCert == "") != (t.TLSKey == "") {
		p.add("turn.tls_cert", "tls_cert and tls_key go together: set both (TLS on) or neither (TLS off)")
	}
	if t.Enabled && len(t.UDPListen)+len(t.TCPListen) == 0 && !(t.TLS() && len(t.TLSListen) > 0) {
		p.add("turn.udp_listen", "an enabled TURN server needs a UDP, TCP or TLS listener")
	}
	if err := checkHost(t.Host); err != nil {
		p.add("turn.host", "%v", err)
	}
	p.token("turn.secret", t.Secret)
	p.durationIn("turn.credential_ttl", t.CredentialTTL, minCredentialTTL, maxCredentialTTL)
	t.validateRelay(p)
	p.intIn("turn.max_allocations", t.MaxAllocations, 1, maxTurnAllocations)
	p.intIn("turn.max_allocations_per_user", t.MaxAllocationsPerUser, 1, maxTurnPerUser)
	p.durationIn("turn.max_lifetime", t.MaxLifetime, minTurnLifetime, maxTurnLifetime)
	p.intIn("turn.unauth_rate", t.UnauthRate, 0, maxUnauthRate)
	p.intIn("turn.unauth_burst", t.UnauthBurst, 1, maxUnauthRate)
	t.validateUsers(p)
}

// validateRelay checks the relay address, ports, public addresses and the
// allow list.
func (t *Turn) validateRelay(p *problems) {
	if t.RelayAddress != "" {
		if a, err := netip.ParseAddr(t.RelayAddress); err != nil || a.IsMulticast() || a.Zone() != "" {
			p.add("turn.relay_address", "must be an IP address of this host, or empty for every address (got %s)", quote(t.RelayAddress))
		}
	}
	if lo, hi, ok := t.RelayPortRange(); !ok || lo < minRelayPort || lo > hi {
		p.add("turn.relay_ports", `must be "min-max" with %d <= min <= max <= 65535, such as %q (got %s)`,
			minRelayPort, defaultRelayPorts, quote(t.RelayPorts))
	}
	var v4, v6 int
	for i, s := range t.PublicIPs {
		a, err := netip.ParseAddr(s)
		if err != nil || a.IsUnspecified() || a.IsMulticast() || a.Zone() != "" {
			p.add(fmt.Sprintf("turn.public_ips[%d]", i), "must be a unicast address clients can reach (got %s)", quote(s))
			continue
		}
		if a.Unmap().Is4() {
			v4++
		} else {
			v6++
		}
	}
	if v4 > 1 || v6 > 1 {
		p.add("turn.public_ips", "at most one IPv4 and one IPv6 address")
	}
	if len(t.AllowPeers) > maxTurnAllowPrefixes {
		p.add("turn.allow_peers", "at most %d prefixes (got %d)", maxTurnAllowPrefixes, len(t.AllowPeers))
	}
	for i, s := range t.AllowPeers {
		if err := checkPrefix(s); err != nil {
			p.add(fmt.Sprintf("turn.allow_peers[%d]", i), "%v", err)
		}
	}
}

// validateUsers checks the static users: distinct names without ':' (which
// would read as a TURN REST username) and decodable keys.
func (t *Turn) validateUsers(p *problems) {
	if len(t.Users) > maxTurnUsers {
		p.add("turn.user", "at most %d users (got %d)", maxTurnUsers, len(t.Users))
	}
	seen := make(map[string]int)
	for i, u := range t.Users {
		key := fmt.Sprintf("turn.user[%d]", i)
		switch {
		case u.Name == "" || len(u.Name) > maxTurnUserNameLen || !printable(u.Name) || strings.ContainsAny(u.Name, ": "):
			p.add(key+".name", "must be 1 to %d printable ASCII characters without ':', spaces or quotes (got %s)",
				maxTurnUserNameLen, quote(u.Name))
		default:
			if j, dup := seen[u.Name]; dup {
				p.add(key+".name", "%s is already the name of turn.user[%d]", quote(u.Name), j)
			}
			seen[u.Name] = i
		}
		if _, err := decodeTurnKey(u.Key.Reveal()); err != nil {
			p.add(key+".key", "%v", err)
		}
	}
}

// validateTurn checks that an enabled TURN server's sockets collide with no
// other socket of the config, and that no fixed UDP port of the gateway
// lies in the relay range, where an allocation could take it first.
func (c *Config) validateTurn(p *problems) {
	t := &c.Turn
	if !t.Enabled {
		return
	}
	udp, tcp := c.bindings()
	for i, a := range t.UDPListen {
		udp = appendBinding(udp, fmt.Sprintf("turn.udp_listen[%d]", i), a)
	}
	for i, a := range t.TCPListen {
		tcp = appendBinding(tcp, fmt.Sprintf("turn.tcp_listen[%d]", i), a)
	}
	if t.TLS() {
		for i, a := range t.TLSListen {
			tcp = appendBinding(tcp, fmt.Sprintf("turn.tls_listen[%d]", i), a)
		}
	}
	var found problems
	clashes(&found, "UDP", udp)
	clashes(&found, "TCP", tcp)
	for _, e := range found {
		if fe, ok := e.(*FieldError); ok && strings.HasPrefix(fe.Key, "turn.") {
			*p = append(*p, e)
		}
	}
	lo, hi, ok := t.RelayPortRange()
	if !ok {
		return
	}
	for _, b := range udp {
		if b.ep.port >= lo && b.ep.port <= hi {
			p.add("turn.relay_ports", "%d-%d holds UDP port %d of %s; move one of them", lo, hi, b.ep.port, b.key)
		}
	}
	if first, last, ok := c.Ingest.Ports(); ok && first <= int(hi) && int(lo) <= last {
		p.add("turn.relay_ports", "%d-%d overlaps ingest.port_range %d-%d; make them disjoint", lo, hi, first, last)
	}
}

// checkHost accepts an empty host, an IP address or a DNS name.
func checkHost(h string) error {
	if h == "" {
		return nil
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	ok := len(h) <= maxHostLen
	for _, label := range strings.Split(h, ".") {
		ok = ok && label != "" && len(label) <= 63 && label[0] != '-' && label[len(label)-1] != '-'
		for _, r := range label {
			ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
		}
	}
	if !ok {
		return fmt.Errorf("must be a DNS name or an IP address without a port, or empty for the host browsers reach the gateway at (got %s)", quote(h))
	}
	return nil
}

// printable reports whether s is printable ASCII without '"' and '\'.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\' {
			return false
		}
	}
	return true
}
