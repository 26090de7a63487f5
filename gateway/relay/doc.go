// Package relay runs the built-in TURN server (package turn) for the
// gateway: it translates [turn] and [webrtc] into the server's config — the
// relay policy that admits only this gateway's ICE socket and the allow
// list, the relayed addresses clients are told — starts it on the sockets
// systemd may have passed, and mints the short-lived credentials that WHEP
// and WHIP answers carry in Link headers. Media relayed through it reaches
// egress's ICE socket like any other viewer's: it sits before the packet
// path, never on it.
package relay
