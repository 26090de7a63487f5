// Package srtpseam derives a viewer's SRTP master keys from a pion
// PeerConnection without forking pion, so that egress's fast path protects
// and sends RTP itself (one goroutine per source track, per-viewer header
// rewrite, sendmmsg on the shared ICE UDP socket) while pion keeps ICE,
// DTLS and RTCP.
//
// The seam has two public halves:
//
//   - webrtc.SettingEngine.SetDTLSKeyLogWriter: pion/dtls writes one NSS
//     key-log line per handshake, "CLIENT_RANDOM <client random> <master
//     secret>" (with extended master secret the line carries the RFC 7627
//     master secret; the format is the same). KeyLog parses it in memory.
//   - The ICE UDP socket the gateway already owns: it is handed to
//     ice.NewUDPMuxDefault, so a net.PacketConn wrapper (Conn) sees the DTLS
//     1.2 ClientHello and ServerHello in the clear in both directions, and
//     with them the server random, the cipher suite (its PRF hash) and the
//     selected SRTP protection profile (RFC 5764 §4.1.1), whichever DTLS
//     role pion took.
//
// Keys (one KeyLog per PeerConnection) and KeysWith (one KeyLog for every
// session of a SettingEngine, each found by the remote address its hellos
// came from) join the two by client random and run the DTLS-SRTP exporter
// (RFC 5764 §4.2, RFC 5705): PRF(master_secret, "EXTRACTOR-dtls_srtp",
// client_random + server_random), split by pion/srtp's own
// Config.ExtractSessionKeysFromDTLS.
//
// The package sits beside the packet path, not on it: it reads handshake
// datagrams only, and the keys it returns must never be logged.
package srtpseam
