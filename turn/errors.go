package turn

import "errors"

// Errors of the TURN service. Those a client causes are counted and answered
// on the wire; these come back from New and the relay allocator.
var (
	// ErrNoListener reports a Config without a UDP, TCP or TLS listener.
	ErrNoListener = errors.New("turn: no listener configured")
	// ErrNoTLSConfig reports TLS listeners without certificates.
	ErrNoTLSConfig = errors.New("turn: TLS listeners need a TLS config with a certificate")
	// ErrRelayPorts reports an empty or inverted relay port range.
	ErrRelayPorts = errors.New("turn: invalid relay port range")
	// ErrNoRelayAddress reports an allocation of an address family for
	// which no relayed address is configured.
	ErrNoRelayAddress = errors.New("turn: no relayed address of the requested family")
	// ErrRelayPortsExhausted reports that no free port was found in the
	// relay range.
	ErrRelayPortsExhausted = errors.New("turn: no free relay port")
	// ErrQuota reports an allocation refused by the per-user or total quota.
	ErrQuota = errors.New("turn: allocation quota reached")
	// ErrTCPRelay reports an RFC 6062 TCP allocation, which is refused:
	// browsers relay media over UDP allocations only, and a TCP relay
	// would open outbound connections on a client's behalf.
	ErrTCPRelay = errors.New("turn: TCP relay allocations (RFC 6062) are not offered")
	// ErrBadUsername reports a TURN REST username that is not "expiry:label".
	ErrBadUsername = errors.New("turn: username is not expiry:label")
)
