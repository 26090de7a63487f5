package turn

import (
	"crypto/tls"
	"log/slog"
	"net/netip"
	"time"

	"golang.org/x/time/rate"
)

// Defaults applied to zero Config fields.
const (
	DefaultRealm         = "mediagate"
	DefaultCredentialTTL = 12 * time.Hour
	DefaultRelayPortMin  = 49152
	DefaultRelayPortMax  = 65535
)

// Config configures a Server. Listeners, the relay address and the policy
// have no useful defaults: a zero Config has no listener and New refuses it.
type Config struct {
	// Log receives allocation events and rate-limited warnings; pion's own
	// output arrives at debug level and below. Nil discards.
	Log *slog.Logger
	// Metrics counts allocations, relayed data and refusals; nil counts
	// nothing.
	Metrics *Metrics
	// Realm is the long-term credential realm (RFC 8489 §9.2); empty means
	// DefaultRealm.
	Realm string
	// UDP, TCP and TLS are the listen addresses ("host:port") of each
	// transport (RFC 8656 §3.1); a port of 0 picks a free one.
	UDP, TCP, TLS []string
	// Passed are sockets handed to the process (systemd socket
	// activation) that serve listen addresses above instead of new
	// sockets; see Passed. The Server owns them from New on.
	Passed Passed
	// TLSConfig holds the certificate of the TLS listeners.
	TLSConfig *tls.Config
	// Secret signs TURN REST credentials; nil or empty picks a random one
	// for this Server's lifetime.
	Secret []byte
	// Users are static users: name → long-term key (see LongTermKey).
	Users map[string][]byte
	// CredentialTTL is the lifetime of minted credentials and the cap on
	// any REST username's expiry; 0 means DefaultCredentialTTL.
	CredentialTTL time.Duration
	// RelayBind is the address relay sockets bind to; invalid or
	// unspecified means the wildcard of the allocation's family.
	RelayBind netip.Addr
	// RelayAddrs are the relayed addresses announced to clients
	// (XOR-RELAYED-ADDRESS), at most one per family; an allocation of a
	// family without one is refused.
	RelayAddrs []netip.Addr
	// RelayPortMin and RelayPortMax bound the relay ports; zero means the
	// defaults.
	RelayPortMin, RelayPortMax uint16
	// Policy says where relays may send.
	Policy Policy
	// MaxAllocations and MaxAllocationsPerUser are the quotas; 0 is no cap.
	MaxAllocations, MaxAllocationsPerUser int
	// MaxLifetime ends an allocation this long after its creation,
	// refreshes notwithstanding; 0 is no cap.
	MaxLifetime time.Duration
	// UnauthRate and UnauthBurst are each source's token bucket for
	// requests without credentials, failed authentications and new TCP or
	// TLS connections; a zero rate is unlimited.
	UnauthRate  rate.Limit
	UnauthBurst int
}

// withDefaults returns c with the zero fields that have defaults filled.
func (c Config) withDefaults() Config {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Realm == "" {
		c.Realm = DefaultRealm
	}
	if c.CredentialTTL <= 0 {
		c.CredentialTTL = DefaultCredentialTTL
	}
	if c.RelayPortMin == 0 && c.RelayPortMax == 0 {
		c.RelayPortMin, c.RelayPortMax = DefaultRelayPortMin, DefaultRelayPortMax
	}
	return c
}
