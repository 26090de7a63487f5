// Package bwe is mediagate's receive-side bandwidth estimator, written after
// draft-ietf-rmcat-gcc-02 ("A Google Congestion Control Algorithm for
// Real-Time Communication"). It sits at the end of the ingest leg of the
// packet path: ingest (and whip, for a publishing browser) calls
// Estimator.OnPacket for every RTP packet it accepts from a sender, and an
// Upstream turns the estimate into the REMB that tells that sender how fast
// it may send. On the egress side, a Router takes the viewers' REMB.
//
// The estimate is built in five steps, each in its own file:
//
//   - group.go, §5.2 (pre-filtering): packets are grouped by send time, taken
//     from abs-send-time when the sender stamps it and from the RTP timestamp
//     otherwise (see AbsSendTime and RTPTime). A group spans at most 5 ms of
//     send time, and each new group yields one inter-group delay variation
//     d(i) = t(i)-t(i-1) - (T(i)-T(i-1)). The draft's rule that merges packets
//     arriving back to back into one burst is left out on purpose: behind a
//     standing queue every packet arrives back to back, and merging them into
//     100 ms groups delayed over-use detection by about a second in the tests.
//   - trendline.go, §5.3 (arrival-time filter): instead of the draft's Kalman
//     filter this package uses the trendline estimator that libwebrtc replaced
//     it with: the accumulated delay is smoothed exponentially and a least-
//     squares line is fitted to the last 20 points; its slope, scaled by the
//     number of deltas seen and a gain of 4, is the filtered gradient m(i).
//   - detector.go, §5.4 (over-use detector): m(i) is compared with an adaptive
//     threshold gamma(i), which moves towards |m(i)| with K_u = 0.01 when
//     |m(i)| exceeds it and K_d = 0.00018 when it does not. Over-use is signalled
//     once m(i) has stayed above gamma for more than 10 ms across at least two
//     groups and is not decreasing; m(i) < -gamma is under-use. One change:
//     gamma does not rise while over-use is signalled, or a queue that grows
//     slowly drags gamma up with it and hides itself.
//   - aimd.go, §5.5 (rate controller): a Hold/Increase/Decrease state machine
//     driven by the detector. On over-use the rate drops to 0.85 times the
//     incoming rate R measured over the last 500 ms. Far from convergence
//     (R outside three standard deviations of the average rate measured at past
//     over-uses) the rate grows by 8% per second, near it additively by about
//     one packet per 100 ms response time; the rate never exceeds 1.5 R
//     (plus 10 kbit/s). Decreases are at least 200 ms apart. Beyond the
//     draft, R is also measured over the last 200 ms: a decrease takes the
//     lower of the two rates (behind a standing queue the recent one is the
//     bottleneck's, while the 500 ms window still holds traffic from before
//     the queue grew), the 1.5 R bound the higher (a sender that ramps up
//     shows it in the recent window first).
//   - loss.go, §6 (loss-based control): every second the loss seen in the RTP
//     sequence numbers (and any fraction passed to OnLoss) sets a bound A_s:
//     above 10% loss A_s = A(1 - 0.5 p), between 2% and 10% A_s holds. Below
//     2% the draft lifts A_s by 5% per report; here the bound is lifted
//     altogether, so that once loss has gone the delay-based rate and its
//     fast recovery lead again instead of a 5%-per-second climb.
//
// Fast recovery. GCC's 8% per second would need 16 s to climb back from 1 to
// 3.6 Mbps after a bottleneck clears. This package adds two rules of its own,
// both ended at once by any over-use:
//
//   - "near convergence" expires after 1.5 s without over-use: the rate then
//     grows by 30% per second, so a path that opened up is found within a
//     second or two instead of by additive steps;
//   - far from convergence, once no over-use has been seen for a second, the
//     rate doubles each second instead of growing 8%.
//
// The REMB runs ahead of the incoming rate by at most the 1.5 factor of
// §5.5, and by at most a factor of 2 during the doubling, so a sender that
// follows it ramps up step by step (a real encoder takes about a second to
// reach a new target) and a sender that does not cannot inflate it.
//
// The final estimate is min(delay-based, loss-based), clamped to the
// configured [MinBitrate, MaxBitrate]. All methods are safe for concurrent
// use; OnPacket does not allocate.
//
// # Aggregating the viewers' REMB
//
// On the egress side the browsers estimate their own links and send REMB.
// An Aggregator (aggregate.go) combines the REMB of one rendition's viewers
// into one bitrate: the minimum over the reports refreshed within Expiry,
// applied at once when it drops and followed with an exponential moving
// average when it rises (so a shared encoder does not oscillate with each
// viewer's probing), clamped to the stream's bounds. A viewer below the
// floor, or — for a transcoded rendition's shared encoder — far below the
// others (under FarBelow of the median report), cannot drag the others
// down: the latter does not count for the minimum, and Below tells the
// caller to give that viewer alone less (keyframes only). The passthrough
// aggregate keeps the plain minimum: the camera slows down for its slowest
// consumer, down to the floor.
//
// The Router (router.go) is egress.Config.OnREMB: it keeps one Aggregator
// per stream for its passthrough viewers and one per transcoded rendition.
// A transcoded rendition's aggregate sets its encoder's bitrate (at once on
// a change of 3% or more, else once a second); the passthrough aggregate,
// with the REMB of the stream's RTP receiver, is Router.Demand, the demand
// half of the REMB sent upstream. A viewer below the floor or far below
// the others is thinned to
// key frames, with a trial of every frame after 5 s, then 10, 20, up to
// 60 s between trials, extended while the viewer's REMB climbs (thin.go). The Router knows a viewer through the
// small Viewer interface (egress.Viewer satisfies it); it imports stream
// for the stream and rendition a viewer watches, and nothing else of the
// gateway.
//
// # The REMB sent upstream
//
// Upstream (upstream.go) is the one rule for the REMB toward a stream's
// sender, an RTP camera (ingest) or a WHIP publisher (whip); each of them
// only writes the packet. The value is min(link estimate, demand), clamped
// to the stream's bounds. A REMB goes out first at once, then at least once
// per Interval (1 s), at once (at most every 50 ms) when the value falls
// by 15% or more, and after 200 ms when it rises by 10% or more, so that a
// sender following the estimator's fast recovery is not held back by the
// interval. Writers consult it every UpstreamTick (25 ms), or (ingest)
// after every batch of packets read, at least as often. Where ingest and
// WHIP differed, ingest's rule was kept: its tests and docs/remb.md ("at
// least once a second, at once on a sharp drop") need the short tick and
// the rise rule; WHIP's 250 ms tick without a rise rule sent drops up to a
// tick late and rises up to a second late. The demand is read by the
// writer before it takes a lock of its own (Router.Demand takes the
// Router's and the outputs' locks).
package bwe
