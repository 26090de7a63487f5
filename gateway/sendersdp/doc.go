// Package sendersdp is the SDP a plain RTP or SRTP sender (ffmpeg,
// GStreamer, an IP camera) exchanges with the gateway, in both roles of the
// offer/answer model (RFC 3264), as Kurento's RtpEndpoint did:
//
//   - Negotiate reads a sender's offer as ffmpeg (-sdp_file) and GStreamer
//     write it and picks what the gateway accepts: one video and one audio
//     m-line, the first codec of each that a stream can carry, and for
//     SDES (RFC 4568) the offered crypto line whose suite comes first in
//     the gateway's preference. Negotiation.Answer then writes the answer
//     with the port the gateway chose and a key the gateway generated.
//   - Description writes the gateway's side on its own: the SDP of a
//     configured stream (GET /api/v1/streams/<name>/sdp) and the gateway's
//     offer for a sender to import (POST /api/v1/streams without a body).
//
// It sits before the packet path: it turns SDP into the config.Video,
// config.Audio and config.SRTP a stream is built from, and never sees a
// packet. The HTTP endpoints are in gateway/api (sender.go), the streams
// they create in gateway/senders.
//
// Decisions recorded here:
//   - SDES keys are directional (RFC 4568 §5.1): the key in an offer is the
//     one its sender encrypts with, so the gateway decrypts a sender's media
//     with the offered key, and its answer carries a key of its own, fresh
//     from crypto/rand, for what the gateway sends (RTCP). The answer never
//     repeats the offerer's key. When the gateway offers and no answer
//     comes back (a sender that imports the offer), the offer's key serves
//     both directions, as a configured [stream.srtp] key does.
//   - The gateway receives only: its answers and offers say a=recvonly,
//     RTCP is multiplexed on the RTP port (a=rtcp-mux, RFC 5761 §5.1.1;
//     a=rtcp, RFC 3605) unless a configured stream has its own RTCP port.
//     Video and audio share one port, so they share one SRTP key.
//   - The answer echoes the offered transport (ffmpeg writes RTP/AVP even
//     with a=crypto), the offered payload types and rtpmap/fmtp lines of
//     the accepted codecs, and rejects every other m-line with port 0
//     (RFC 3264 §6).
//   - A crypto line with an MKI, several keys or a session parameter other
//     than KDR=0 and WSH counts as unsupported. A line whose key does not
//     decode to the suite's length makes the offer malformed.
//   - Descriptions refuse an unspecified address (0.0.0.0, ::): the caller
//     must advertise one a sender can reach.
package sendersdp
