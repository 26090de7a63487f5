// Package turn is mediagate's built-in TURN server (RFC 8656, on
// pion/turn/v5), for viewers whose networks cannot reach the gateway's ICE
// socket directly. It never imports gateway: the gateway starts a Server
// and hands its credentials to browsers.
//
// # Place in the packet path
//
// When a viewer relays, its half of the media path is
//
//	gateway ICE socket ─UDP─▶ relay socket (this package) ─UDP/TCP/TLS─▶ browser
//
// and the reverse for RTCP and ICE checks. Nothing else of the gateway
// passes through here: the relay carries the DTLS-SRTP the ICE socket
// already protects. Once a UDP client binds a channel, its datagrams skip
// pion: the socket wrappers relay them, reading every queued datagram with
// one recvmmsg(2) and sending a batch with one sendmmsg(2), runs of alike
// datagrams segmented by the kernel (batch.go, internal/udpbatch).
//
// # Credentials
//
// Clients authenticate with the long-term mechanism (RFC 8489 §9.2).
// Credentials follow the TURN REST scheme (draft-uberti-behave-turn-rest):
// the gateway mints "expiry:label" usernames whose password is the
// HMAC-SHA1 of the username under a shared secret (Mint), so nothing is
// stored per user and an external service holding the secret can mint them
// too. An expiry further ahead than the configured credential lifetime is
// refused, so a credential cannot outlive the cap. Static users, for
// tools and other servers, are configured by their long-term key
// (LongTermKey), never a password. The secret and the keys are never
// logged.
//
// # Policy: not an open relay
//
// By default a relay delivers only to the gateway's own ICE socket.
// pion's permission handler sees only the peer's IP address: it refuses
// every address that is not one of the gateway's ICE addresses (local, or
// public under NAT 1:1) after normalizing IPv4-mapped IPv6 to IPv4, and
// refuses outright any IPv6 address that embeds an IPv4 one for a
// translator (IPv4-compatible, SIIT, NAT64, 6to4, Teredo) — coturn's
// CVE-2020-26262 came from exactly such forms. Since a permission names an
// address, not a port, every relay socket is wrapped (relayConn): data to
// an ICE address at any port but the ICE port is dropped and counted, and
// only datagrams from the ICE socket (or an allowed peer) are relayed back.
// Under NAT 1:1 data to the public address is delivered to the local ICE
// socket, and the answers are relayed back under the public address, so no
// hairpin is needed. An allow list can admit further peers, never
// loopback, link-local (the cloud metadata service), unspecified,
// multicast or embedding addresses. A refused permission or channel is
// answered 403 Forbidden; RFC 6062 TCP allocations, which would connect
// out on a client's behalf, are refused with 442 Unsupported Transport
// Protocol. pion gets those two codes wrong (401 and 508): the listening
// sockets' wrappers correct its answers on the way out, signed again with
// the client's key (recode.go).
//
// # Limits
//
// Allocations are capped per user and in total (486, RFC 8656 §7.2) and end
// at a maximum lifetime, refreshes notwithstanding. Requests without
// credentials, failed authentications and new TCP or TLS connections spend
// a per-source token bucket (an IPv4 address or an IPv6 /64): over it they
// are dropped silently, so a spoofed source cannot turn the server into a
// reflector of 401 answers. TCP and TLS connections are capped per source
// and closed when idle.
//
// # Observability
//
// Metrics (Metrics) count allocations, relayed packets and bytes per
// direction, relay drops, refused permissions, authentication failures and
// rate-limited requests. Allocation creation and end are logged at info
// level; per-packet conditions are counted and logged at most once per
// second.
package turn
