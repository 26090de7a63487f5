// Package jsep holds the pieces of the WebRTC offer/answer exchange (JSEP,
// RFC 9429) that the gateway's two kinds of session share: viewers
// (gateway/egress) and WHIP publishers (gateway/whip). It is theirs, not
// the HTTP engine's: gateway/signal never imports pion/webrtc, and
// neither session package imports the other.
//
// Place in the packet path: none; it runs at session setup and on ICE
// restarts. RestartOffer rewrites an applied offer for an ICE restart (RFC
// 8445 §9, RFC 9725 §4.3.3), ICE and LocalICE read the ICE credentials and
// candidates of a description's first m-section (the one that carries the
// bundle), and VideoFeedback is the RTCP feedback negotiated on every video
// codec in both directions of the bridge.
//
// Decision recorded here: RestartOffer reparses the applied offer it is
// given, as the sessions keep the offer they applied as text; the offer a
// POST carried is parsed once by gateway/signal and handed on parsed.
package jsep
