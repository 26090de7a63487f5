// Package output sends a stream on to one RTP or SRTP receiver named in the
// config ([stream.output]): the reverse bridge's last stage, and a plain RTP
// forwarder for any other stream. It is an ordinary subscriber of the
// stream's tracks, like a browser viewer in gateway/egress, but with a UDP
// socket of its own instead of a PeerConnection.
//
//	stream.Track.Write → Subscription (bounded queue, drops counted)
//	  → send loop (one goroutine per Output), an outbound.Track per kind:
//	    keyframe gate, new header (own SSRC per track, configured payload
//	    type, sequence numbers and timestamps continuous across source
//	    restarts and track changes), out-of-band SPS/PPS before H.264
//	    keyframes
//	  → SRTP (when keyed) → outbound.History (wire bytes, per SSRC) → UDP
//	    socket
//	receiver RTCP → the same socket (symmetric RTP, RFC 4961; RTCP muxed,
//	  RFC 5761) → read loop: source address check, MSG_TRUNC check, SRTCP
//	  decrypt with replay protection → parse:
//	  REMB → Output.REMB and Config.OnREMB; PLI/FIR → Stream.RequestKeyframe;
//	  NACK → budget → send loop → history → the same datagram again
//	send loop, every second: a Sender Report and SDES CNAME per track
//	  (RFC 3550 §6.4.1, §6.5.1), derived from the source's SenderClock
//
// Decisions recorded here:
//
//   - One key protects both directions: the receiver's SRTCP is decrypted
//     with the key the media is encrypted with (separate pion contexts, so
//     each direction keeps its own per-SSRC state).
//   - A NACK is answered with the very datagram sent first (RFC 4585
//     §6.2.1 generic NACK, no RTX stream): the history keeps wire bytes, so
//     an SRTP retransmission needs no second encryption.
//   - RTCP from any address but the configured receiver is dropped and
//     counted, before any parsing or decryption.
//   - The Output follows its stream's tracks: SetStream moves it to a
//     replacement stream of the same name and keeps each track's SSRC and
//     numbering, so the receiver sees one continuous RTP session.
//   - A Manager runs the Outputs of the config: Sync starts, restarts and
//     stops them from the [[stream]] tables (ConfigFrom), and a
//     stream.Hub.Watch hook moves an Output to a stream rebuilt under its
//     name as soon as the hub has it. The hook reads the hub again rather
//     than trust the stream it is handed, so that changes reported out of
//     order still end on the latest stream; a removed stream keeps its
//     Output until the next Sync, which stops it.
package output
