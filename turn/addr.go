package turn

import (
	"net"
	"net/netip"
)

// Why the policy refuses a peer address; the label of
// mediagate_turn_permissions_refused_total.
const (
	refuseNotAllowed = "not_allowed" // not an ICE address nor in the allow list
	refuseEmbedded   = "embedded"    // an IPv6 address that embeds an IPv4 one
	refuseSpecial    = "special"     // unspecified, multicast, broadcast, loopback, link-local
	refuseInvalid    = "invalid"     // not an IP address
)

// Prefixes of IPv6 addresses that carry an IPv4 address for a translator
// or a tunnel to act on. A datagram sent to one of them reaches the IPv4
// host through machinery the permission check cannot see, which is how
// the CVE-2020-26262 class of bypass works; they are refused outright.
var embeddingPrefixes = []netip.Prefix{
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (RFC 4291 §2.5.5.1, deprecated)
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated, SIIT (RFC 2765 §2.1)
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 well-known prefix (RFC 6052 §2.1)
	netip.MustParsePrefix("64:ff9b:1::/48"),  // NAT64 local-use prefix (RFC 8215)
	netip.MustParsePrefix("2002::/16"),       // 6to4 (RFC 3056 §2)
	netip.MustParsePrefix("2001::/32"),       // Teredo (RFC 4380 §4)
}

// specialPrefixes are further ranges no relay may send to; the rest of the
// special addresses are caught by netip's predicates.
var specialPrefixes = []netip.Prefix{
	netip.MustParsePrefix("100::/64"),  // discard-only (RFC 6666)
	netip.MustParsePrefix("fe80::/10"), // link-local
	netip.MustParsePrefix("ff00::/8"),  // multicast
	netip.MustParsePrefix("0.0.0.0/8"), // "this network" (RFC 1122 §3.2.1.3); 0.0.0.0 reaches the host itself
	netip.MustParsePrefix("255.255.255.255/32"),
}

// normalize turns an address a client named into the one a datagram would
// reach: IPv4-mapped IPv6 (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) becomes the
// IPv4 address, since a socket sends to it exactly there. Any zone is
// dropped. ok is false for something that is not an IP address.
func normalize(a netip.Addr) (netip.Addr, bool) {
	if !a.IsValid() {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// addrFromIP converts a net.IP (4 or 16 bytes) as pion passes it.
func addrFromIP(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	return a
}

// classify says why a normalized address can never be a relay peer except
// as one of the gateway's own ICE addresses, or "" when it may be one.
// Loopback is in the list: a gateway whose ICE runs on loopback (tests,
// single-host setups) lists it among its ICE addresses, which are checked
// first.
func classify(a netip.Addr) string {
	switch {
	case a.IsUnspecified(), a.IsLoopback(), a.IsMulticast(), a.IsLinkLocalUnicast(),
		a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return refuseSpecial
	}
	if a.Is6() {
		for _, p := range embeddingPrefixes {
			if p.Contains(a) {
				return refuseEmbedded
			}
		}
	}
	for _, p := range specialPrefixes {
		if p.Contains(a) {
			return refuseSpecial
		}
	}
	return ""
}
