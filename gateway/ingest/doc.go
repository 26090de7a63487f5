// Package ingest receives RTP and SRTP from cameras and encoders. It is the
// first stage of the packet path (camera → ingest → stream.Track → egress →
// browsers): one Source per configured stream owns the stream's UDP
// sockets, latches onto the sender, decrypts, validates and writes
// immutable stream.Packets into the stream's tracks, and sends RTCP back to
// the sender.
//
// # The packet path
//
// Each socket (the RTP socket, and a separate RTCP socket when RTCPListen
// is set; IPv4 or IPv6, "[::]" is dual-stack and sees IPv4 senders as
// IPv4) has one read goroutine that runs every datagram through small named
// steps:
//
//  1. internal/udpbatch reads every datagram queued, up to 32 at a time on
//     the RTP socket and 4 on an RTCP socket (recvmmsg(2): a camera sends a
//     frame's packets back to back, and one wake-up of the loop takes them
//     all), each into a buffer of ReadBuffer+1 bytes (at most 128 KiB of
//     buffers per socket, fewer for a large ReadBuffer); one clock reading
//     is the arrival time of the batch. A datagram the kernel truncated
//     (MSG_TRUNC) or that fills the spare byte is dropped as "oversize",
//     never handed on cut short; the datagrams around it go on.
//  2. classify: first byte 128-191 is RTP or RTCP (RFC 7983 §7), anything
//     else (STUN, DTLS, garbage) is "malformed"; a second byte of 192-223
//     is RTCP on a muxed port (RFC 5761 §4).
//  3. allowed: the source address must lie in AllowFrom ("not_allowed",
//     and a source.rejected event).
//  4. latching (below), with SRTP authentication and decryption in place
//     (RFC 3711 §3.3) before any latching decision.
//  5. parseRTP: parsed once by pion/rtp, which checks the CSRC count,
//     extension length and padding (zero or longer than the payload); a
//     packet without payload is "malformed". A packet that is all padding
//     (P bit set), which a sender probing for bandwidth sends, goes on
//     through the steps below for the statistics and the bandwidth
//     estimate but never reaches a track ("padding", not logged).
//  6. the payload type picks the video or audio track ("payload_type").
//  7. accept: SSRC admission, RFC 3550 A.1 sequence validation with a
//     probation of MIN_SEQUENTIAL=2 for a new SSRC, a 128-packet duplicate
//     window ("duplicate"), A.3 loss and A.8 jitter statistics, kept for at
//     most four SSRCs.
//  8. newPacket copies the payload out of the read buffer (the one
//     allocation besides the Packet itself), marks keyframes with
//     internal/codec, and Track.Write offers it to the subscribers without
//     blocking.
//
// Every drop is counted in mediagate_ingest_dropped_total{reason} and logged
// at most once per second per reason. source.rejected is published for the
// first refused datagram of a sender (address and port) and reason, then at
// most once a minute while that sender goes on being refused, with the
// count refused since; and at most once per second per stream.
//
// A packet that would start a new SSRC's run (probation) or follow a jump of
// the sequence number is held, not dropped: when the next packet confirms
// it, both are delivered, so the first packet of a stream (often an SPS)
// survives validation. An unconfirmed held packet is dropped ("sequence").
// A new SSRC replaces a track's current SSRC only after the current one has
// been silent for RelatchAfter ("ssrc").
//
// With SourceConfig.Heartbeat set, each read loop also wakes at least once
// per HeartbeatInterval (a read deadline) and calls it with "rtp" or
// "rtcp", with or without traffic: the gateway's watchdog counts a loop
// that stops calling as stuck.
//
// # Latching (symmetric RTP, RFC 4961)
//
// A camera never signals its address: the source latches onto the first
// allowed sender whose packet passes the checks above, publishes
// source.latched, and sends all its RTCP there. While latched, packets from
// any other address are dropped ("not_latched", RTP bleed) and do not move
// the latch, with one exception per policy:
//
//   - "first": another sender may take over once the latched one has been
//     silent for RelatchAfter.
//   - "strict": no other sender is taken while the source is up; after
//     SourceTimeout of silence the stream goes down, the latch is released,
//     and the next allowed sender latches.
//
// RTCP never latches. RTCP is accepted from the latched address (muxed),
// from the port after it on the same host (a sender that sends RTCP from
// RTP port + 1, RFC 3550 §11, to the muxed port, as ffmpeg does with
// `?rtcpport=`), or from the latched host on the RTCP port, whose source
// port is remembered as the RTCP return address. RTCP to the sender goes to
// the latched address, or on its own port to that return address.
//
// # SRTP
//
// With SRTP (SDES keying) a packet is authenticated and decrypted before it
// can latch or re-latch anything, so an attacker without the key cannot
// take the stream. The latched sender's packets are decrypted with its own
// receive context, with replay protection on (64-packet windows for SRTP
// and SRTCP, RFC 3711 §3.3.2; pion/srtp leaves it off by default). A packet
// from any other address is tried with a probe context of that address,
// never with the latched context, so strangers cannot disturb the latched
// sender's replay window. At most four probe contexts exist, evicted least
// recently used; a spray of source ports costs one context creation per
// packet and no memory. The probe context of the sender that latches
// becomes its receive context: a camera restarted with the same key on a
// new port, whose sequence numbers start over, gets a fresh replay window.
// A latched sender that has been silent for RelatchAfter keeps its context
// while that context accepts its packets (its rollover counter may be past
// 0, which a fresh context cannot guess); a packet the context refuses is
// tried with a fresh probe context, which takes back a camera restarted on
// the same address. Authentication failures count as "srtp_auth" (and in
// mediagate_ingest_srtp_auth_failures_total), replays as "srtp_replay",
// SRTCP with the E flag clear as "srtcp_unencrypted".
//
// A replay of captured packets from a new address authenticates: under
// policy "first" it can take a sender that has been silent for
// RelatchAfter. Policy "strict" narrows that to a sender that has timed
// out.
//
// # RTCP
//
// Sender Reports set the matching track's stream.SenderClock and feed the
// LSR and DLSR fields. BYE is logged at debug level and ignored. Malformed
// compounds, and compounds not starting with SR or RR (RFC 3550 §6.1), are
// dropped ("rtcp_malformed").
//
// Back to the sender, from the socket it sends to (RFC 4961) and encrypted
// as SRTCP with the stream's key when SRTP is on, the source sends a
// compound of RR and SDES CNAME (RFC 3550 §6.1) every
// ReceiverReportInterval, with a report block per validated media SSRC
// (RFC 3550 §6.4.2), and on RequestKeyframe a PLI (RFC 4585 §6.3.1) or FIR
// (RFC 5104 §4.3.1) for the video SSRC, at most one per KeyframeInterval.
// RequestJoinKeyframe, which the stream calls within its join budget for a
// joining viewer (stream.JoinKeyframeBurst, stream.JoinKeyframeEvery),
// sends one at once regardless of the interval. A request made before the
// sender is known waits for it. The source's own
// SSRC is random.
//
// # REMB
//
// With SourceConfig.REMB set, every accepted packet of the first track
// (video, or the only track) from the latched sender, padding included,
// feeds a gateway/bwe Estimator: arrival = receive time, send time = the
// abs-send-time header extension (RFC 8285 id AbsSendTimeID) or else the
// RTP timestamp, size = the datagram on the wire. The source sends the
// sender a REMB (draft-alvestrand-rmcat-remb; RTCP feedback after an RR and
// SDES, RFC 4585 §3.1, as SRTCP under SRTP) for the media SSRCs it has
// seen, valued min(estimate, Demand) within the configured bounds: at
// least once per Interval (carried by the receiver report when both are
// due), at once (at most every 50 ms) when the value falls by 15% or more,
// and within 200 ms when it rises by 10% or more. The RTP read loop looks
// for a drop or a rise after a batch it reads, at most every 25 ms
// (bwe.UpstreamTick), so the timer goroutine wakes only for the reports,
// the interval and the source timeout (once a second by default), not
// every 25 ms: with no sender, or between a camera's packets, the source
// sleeps. A new sender gets a
// fresh estimator. Gauges show the REMB sent, the estimate, the incoming
// rate, and whether the sender follows: the incoming rate against the
// REMB in force (the larger of the current one and the one of a second
// before) averaged over 5 s, at most 1.15 for a sender that follows.
package ingest
