// Package outbound is the outbound RTP track: one RTP stream of the
// gateway's own, sent to one receiver, fed by whatever stream.Track the
// owner follows. Both senders of the gateway use it: a browser viewer's
// track (gateway/egress, through pion's TrackLocalWriter) and an RTP
// output's track (gateway/output, through its own UDP socket).
//
//	stream.Track.Write → Feed (the bounded Subscription, drops counted once)
//	  → Track.Forward: header rewrite (Rewriter: own SSRC, continuous
//	    sequence numbers and timestamps across source restarts and track
//	    changes, keyframe gate for video), out-of-band H.264 SPS/PPS
//	    (a STAP-A) or H.265 VPS/SPS/PPS (an aggregation packet) before
//	    keyframes that lack them
//	  → Writer (the owner's: pion and SRTP for a viewer; SRTP, History and
//	    the socket for an output); with Track.History set, a RefHistory
//	    slot refers to the packet sent, for Track.Resend on NACK
//	every report interval: Track.Report → RTCPWriter (SR + SDES CNAME,
//	  derived from the source's stream.SenderClock); Track.Bye at the end
//	receiver RTCP → Feedback.Handle: PLI/FIR, REMB, NACK and receiver
//	  reports to the owner's hooks, and the kind for its counters
//
// The fan-out fast path (one pass per packet over a rendition's viewers,
// batched sends) will land here next.
//
// Decisions recorded here:
//
//   - The owner keeps its own policy: when the track goes live, thinning to
//     key frames (Track.Skip keeps the numbering gap-free), NACK budgets,
//     and its metrics, which its Writer counts; the Track counts only the
//     packets and octets its Sender Reports announce.
//   - A packet counts as sent when the Writer returns a positive length and
//     no error: pion drops packets silently (length 0) until SRTP is up.
//   - The Track stamps SSRC and PayloadType from its fields on every packet;
//     an owner whose binding may change (a viewer renegotiating) sets them
//     before each packet and report.
package outbound
