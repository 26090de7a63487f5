package egress

import (
	"fmt"
	"net"
	"strings"

	"github.com/pion/ice/v4"
)

// maxRemoteCandidates caps the remote candidates one session accepts, from
// the offer, trickle PATCHes and restarts together.
const maxRemoteCandidates = 64

// candidatePolicy decides which remote candidates a session uses. Candidates
// it cannot use (mDNS or other host names, unspecified, multicast, link-local
// or zoned addresses, port 0, RTCP components, TCP when ICE-TCP is off,
// loopback unless enabled) are dropped silently, as RFC 9725 §4.3.2 asks of
// a server; only a line that does not parse is an error. Dropping them also
// keeps the agent from sending STUN checks at addresses it has no business
// probing.
type candidatePolicy struct {
	loopback bool
	tcp      bool
}

// keep parses one candidate, given as an SDP attribute value with or without
// the "candidate:" prefix (RFC 8839 §5.1), and reports whether to use it. The
// returned string is the value without the prefix.
func (p candidatePolicy) keep(raw string) (string, bool, error) {
	value := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(raw), "candidate:"))
	fields := strings.Fields(value)
	if len(fields) < 8 || fields[6] != "typ" {
		return "", false, fmt.Errorf("%w: candidate %.64q", ErrBadOffer, value)
	}
	if t := strings.ToLower(fields[2]); t != "udp" && t != "tcp" {
		return value, false, nil // a transport ICE here does not speak
	}
	ip := net.ParseIP(fields[4])
	if ip == nil { // a host name, an mDNS .local name or a zoned IPv6 address
		return value, false, nil
	}
	c, err := ice.UnmarshalCandidate(value)
	if err != nil {
		return "", false, fmt.Errorf("%w: candidate %.64q", ErrBadOffer, value)
	}
	return value, p.usable(c, ip), nil
}

func (p candidatePolicy) usable(c ice.Candidate, ip net.IP) bool {
	if c.Component() != ice.ComponentRTP || c.Port() == 0 {
		return false
	}
	switch {
	case c.NetworkType().IsUDP():
	case c.NetworkType().IsTCP():
		if !p.tcp {
			return false
		}
	default:
		return false
	}
	return p.usableIP(ip)
}

// usableIP is also the agent's remote IP filter, so peer-reflexive
// candidates learnt from incoming checks obey the same rules.
func (p candidatePolicy) usableIP(ip net.IP) bool {
	switch {
	case ip.IsUnspecified(), ip.IsMulticast(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return false
	case ip.IsLoopback():
		return p.loopback
	}
	return true
}
