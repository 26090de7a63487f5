package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Turn is the [turn] table: the built-in TURN server (see docs/turn.md and
// the turn package). Left out, TURN is off, so that an upgrade never opens
// new ports by itself; the shipped configuration turns it on.
type Turn struct {
	Enabled bool   `toml:"enabled"`
	Realm   string `toml:"realm"`
	// UDPListen, TCPListen and TLSListen are the listen addresses of each
	// transport; TLS listens only when TLSCert and TLSKey are set.
	UDPListen []string `toml:"udp_listen"`
	TCPListen []string `toml:"tcp_listen"`
	TLSListen []string `toml:"tls_listen"`
	TLSCert   string   `toml:"tls_cert"`
	TLSKey    string   `toml:"tls_key"`
	// Host is the host name or address in the turn: URLs handed to
	// browsers; empty means the host the browser reached the gateway at.
	Host string `toml:"host"`
	// Secret signs TURN REST credentials; empty means a random secret per
	// process.
	Secret Secret `toml:"secret"`
	// CredentialTTL is the lifetime of minted credentials and the cap on
	// any credential's expiry.
	CredentialTTL Duration `toml:"credential_ttl"`
	// RelayAddress is the local address relay sockets bind to; empty means
	// every address.
	RelayAddress string `toml:"relay_address"`
	// RelayPorts is the relay port range, "min-max".
	RelayPorts string `toml:"relay_ports"`
	// PublicIPs are the relayed addresses announced to clients (one per
	// family); empty means webrtc.public_ips, else the relay address, else
	// the first ICE address of each family.
	PublicIPs []string `toml:"public_ips"`
	// AllowPeers are CIDRs a relay may send to besides the gateway's ICE
	// socket.
	AllowPeers            []string `toml:"allow_peers"`
	MaxAllocations        int      `toml:"max_allocations"`
	MaxAllocationsPerUser int      `toml:"max_allocations_per_user"`
	MaxLifetime           Duration `toml:"max_lifetime"`
	// UnauthRate and UnauthBurst are each source's budget of requests
	// without credentials, per second; a rate of 0 turns the limit off.
	UnauthRate  int        `toml:"unauth_rate"`
	UnauthBurst int        `toml:"unauth_burst"`
	Users       []TurnUser `toml:"user"`
}

// TurnUser is one [[turn.user]]: a static user for tools and other servers,
// given by its long-term key, never a password.
type TurnUser struct {
	Name string `toml:"name"`
	// Key is hex MD5(name ":" realm ":" password), as `turnadmin -k`
	// prints it, with or without a leading "0x".
	Key Secret `toml:"key"`
}

// TURN defaults (see configs/mediagate.toml).
const (
	defaultTurnRealm      = "mediagate"
	defaultTurnUDP        = "0.0.0.0:3478"
	defaultTurnTLS        = "0.0.0.0:5349"
	defaultCredentialTTL  = 12 * time.Hour
	defaultRelayPorts     = "49152-65535"
	defaultMaxAllocations = 2000
	defaultMaxPerUser     = 10
	defaultMaxLifetime    = 24 * time.Hour
	defaultUnauthRate     = 50
	defaultUnauthBurst    = 100
)

// defaultTurn returns the [turn] defaults, disabled.
func defaultTurn() Turn {
	return Turn{
		Realm:                 defaultTurnRealm,
		UDPListen:             []string{defaultTurnUDP},
		TCPListen:             []string{defaultTurnUDP},
		TLSListen:             []string{defaultTurnTLS},
		CredentialTTL:         Duration(defaultCredentialTTL),
		RelayPorts:            defaultRelayPorts,
		MaxAllocations:        defaultMaxAllocations,
		MaxAllocationsPerUser: defaultMaxPerUser,
		MaxLifetime:           Duration(defaultMaxLifetime),
		UnauthRate:            defaultUnauthRate,
		UnauthBurst:           defaultUnauthBurst,
	}
}

// TLS reports whether the TLS listeners are on: a certificate and key are set.
func (t *Turn) TLS() bool { return t.TLSCert != "" && t.TLSKey != "" }

// RelayPortRange parses RelayPorts; ok is false when it does not parse.
func (t *Turn) RelayPortRange() (lo, hi uint16, ok bool) {
	a, b, cut := strings.Cut(t.RelayPorts, "-")
	x, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 16)
	y, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 16)
	if !cut || err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uint16(x), uint16(y), true
}

// UserKeys returns the static users' long-term keys by name; users whose
// key does not decode are left out (Validate reports them).
func (t *Turn) UserKeys() map[string][]byte {
	keys := make(map[string][]byte, len(t.Users))
	for _, u := range t.Users {
		if k, err := decodeTurnKey(u.Key.Reveal()); err == nil {
			keys[u.Name] = k
		}
	}
	return keys
}

// decodeTurnKey decodes a 16-byte hex key with an optional "0x".
func decodeTurnKey(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != 16 {
		return nil, fmt.Errorf("must be 32 hex digits (the MD5 key `turnadmin -k` prints), optionally after 0x")
	}
	return k, nil
}

// hasSecrets reports whether the table holds a secret or a key.
func (t *Turn) hasSecrets() bool {
	if t.Secret.IsSet() {
		return true
	}
	for _, u := range t.Users {
		if u.Key.IsSet() {
			return true
		}
	}
	return false
}

// fingerprint identifies the whole table, secrets included, for Diff: a
// hash, so that the secret never appears in what Diff compares or prints.
func (t *Turn) fingerprint() string {
	keys := make([]string, len(t.Users))
	for i, u := range t.Users {
		keys[i] = u.Key.Reveal()
	}
	b, _ := json.Marshal(struct {
		T    Turn
		S    string
		Keys []string
	}{*t, t.Secret.Reveal(), keys})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
