// Package whip takes a browser's publication through WHIP (RFC 9725) and
// makes it the source of a stream: the reverse of the camera → browser path.
//
//	browser ─ICE/DTLS/SRTP─▶ Publisher (pion PeerConnection, recvonly)
//	  → one reader goroutine per remote track: header copy with the stream's
//	    payload type, no header extensions, keyframe flag (internal/codec)
//	  → stream.Track.Write → WHEP viewers (gateway/egress), the RTP output
//	every received video packet → bwe.Upstream (abs-send-time) → REMB to
//	the browser, the lower of the estimate and the optional demand hook,
//	clamped to [stream.remb]; the stream's keyframe requests → PLI to the
//	browser, at most one per keyframe interval, except joining viewers'
//	(stream.JoinKeyframeRequester), which go at once.
//
// Handler is the HTTP front door. The HTTP half of RFC 9725 is the same for
// WHIP and WHEP (offer checks, bearer tokens, per-client limits, CORS,
// trickle ICE and ICE restarts by PATCH, DELETE, problem details), so
// Handler mounts the gateway/signal engine at /whip/ instead of repeating
// it; the engine parses the offer once and hands the parsed description
// on. Only Open is WHIP's own: it asks the Manager to publish. The SDP
// rewrites of an ICE restart and the video feedback are shared with the
// viewers through gateway/signal/jsep; whip does not import gateway/egress.
//
// Decisions recorded here:
//
//   - One publisher per stream: a second POST while one is publishing is
//     409 Conflict (RFC 9110 §15.5.10). A stream whose source is not "whip"
//     is 404, as is an unknown one; the bearer token is the stream's
//     publish_token (401 without it, 403 with another stream's).
//   - The answer is recvonly. An offer whose audio or video m-section is
//     recvonly or inactive, with more than one m-section of a kind, or whose
//     video has no codec of the stream's [stream.video] (H.264 packetization
//     mode 1, profile 42e01f; or VP8) is refused whole with 422 (RFC 9725
//     §4.4.2, §4.4.3). Opus audio is always accepted; a stream without
//     [stream.audio] discards it.
//   - Video feedback is nack, nack pli, ccm fir and goog-remb; there is no
//     transport-cc and no TWCC header extension, so that Chrome's congestion
//     controller follows REMB. abs-send-time is negotiated on video so the
//     estimator groups packets by the browser's send time.
//   - REMB follows bwe.Upstream, the rule ingest's RTP senders get too: at
//     least every second, at once when the value falls by 15% or more, and
//     after 200 ms when it rises by 10% or more (draft-alvestrand-rmcat-remb
//     §2.2 leaves the schedule to the receiver). [stream.remb] enabled =
//     false sends none.
//   - The stream is up (stream.up) from the publisher's first media packet
//     and down (stream.down) when the session ends, by DELETE, ICE failure,
//     the setup timeout or the stream's removal.
//   - Packets keep the browser's SSRC, sequence numbers and timestamps; a
//     new publisher is a new source, which egress already bridges.
package whip
