// Package egress is the last stage of the packet path from a camera to a
// browser: one Viewer per browser session, holding a pion/webrtc
// PeerConnection, its outbound tracks and its RTCP loop.
//
//	stream.Track.Write → Subscription (bounded queue, drops counted)
//	  → forwarder goroutine (one per viewer track): thinning to key frames,
//	    then outbound.Track: keyframe gate and continuous seq/ts, new header
//	    (own SSRC, negotiated payload type), SPS/PPS insertion, and for
//	    video a reference in its outbound.RefHistory (no copy)
//	  → pion TrackLocalWriter → SRTP → ICE (one UDP port for every session,
//	    or ICE-TCP)
//	viewer RTCP → RTCP loop, one per sender: PLI/FIR → Stream.RequestKeyframe;
//	  REMB → NACK budget and Config.OnREMB; NACK → per-viewer budget
//	  (nackGuard) → the forwarder's backlog → Track.Resend from the history
//
// A Manager binds the ICE sockets once and builds one webrtc.API that every
// session shares: a MediaEngine with H.264 (packetization mode 1, several
// profiles), VP8, Opus, PCMU and PCMA; RTCP feedback nack, nack pli, ccm fir
// and goog-remb; no TWCC, so that Chrome sends REMB; and an empty
// interceptor chain: no NACK responder, because each forwarder answers
// NACKs from its track's reference history, and no report generator,
// because each forwarder sends its own Sender Reports, derived from the
// source's SenderClock so that audio and video stay in sync.
//
// Decisions recorded here:
//
//   - The offer is parsed and checked with pion/sdp before pion sees it, and
//     handed to pion with its remote candidates filtered and capped (64 per
//     session, offer and trickle together).
//   - The answer lists, per m-section, exactly the offered formats the
//     source can be sent as, best first; for H.264 the source's own profile
//     ranks first. When the source's profile (from its fmtp or in-band SPS)
//     is not offered at all, the stream is passed through anyway and
//     mediagate_egress_profile_mismatch_total counts the viewer once.
//   - With Config.Renditions set, a viewer that cannot take a source track
//     as it is (no common codec; for H.264, a source with B-frames, or a
//     profile the viewer did not offer under strict profiles) gets a
//     transcoded rendition instead: one already running in a codec the
//     viewer offered first, else the first the viewer offered. The
//     rendition's track is planned like a source; PLI, FIR and joins ask
//     its encoder for keyframes; the viewer's teardown gives it back.
//   - An offered m-section of a kind the stream does not have is answered
//     without a track (pion marks it sendonly; nothing is ever sent on it).
//   - viewer.join is published when the session is created (after the
//     answer), not when ICE connects, so every join has exactly one
//     viewer.leave, whose data carries the reason.
//   - A viewer joining asks the source for a keyframe once its video track
//     is bound (DTLS up), as a join request (Stream.RequestKeyframeForJoin:
//     at once, outside the source's keyframe interval, within the stream's
//     join budget), and again every second while it waits for one, as a
//     regular request. Its PLI and FIR within joinWindow (1 s) of its first
//     track going live are join requests too, so the browser's first PLI is
//     not coalesced away. An audio track asks for nothing.
//   - A generic NACK (RFC 4585 §6.2.1) is answered with the very packet
//     sent: the header rebuilt from the history and the shared payload,
//     protected again by pion (same sequence number and rollover counter,
//     same ciphertext). The RTCP goroutine only spends the viewer's budget
//     (400 packets a second, a quarter of its REMB once it sends one) and
//     hands the pairs to the forwarder through a bounded backlog; the
//     forwarder goroutine, which owns the track, resends. A NACK beyond
//     the budget or the backlog counts in nack_limited_total; each packet
//     resent counts in nack_retransmits_total, not as a packet sent nor in
//     the Sender Report.
//   - The ICE sockets are bound on the addresses present when the Manager
//     starts; interface changes need a new Manager. The ICE-TCP listener is
//     a wildcard socket; Interfaces restricts the candidates it announces.
package egress
