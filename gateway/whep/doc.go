// Package whep is the WHEP endpoint (draft-ietf-wish-whep, which follows
// the HTTP rules of RFC 9725): the front door through which a browser asks
// to watch a stream.
//
// Place in the packet path: none; whep never touches media. Handler mounts
// the gateway/signal engine at /whep/, which does all of the HTTP (offer
// checks, bearer tokens, per-client limits, CORS, trickle ICE and ICE
// restarts by PATCH, DELETE, problem details). What is WHEP's own is here:
// opening a viewer — the stream from the hub and a gateway/egress session,
// which builds the PeerConnection, gathers every server candidate and
// subscribes to the stream's tracks, given the offer the engine parsed —
// the viewer tokens, the ice-server Link headers (RFC 9725 §4.6) and the
// mediagate_whep_* metrics. From then on media flows egress → browser.
//
// Decisions recorded here (the HTTP ones are gateway/signal's):
//
//   - A stream that the token check found but the hub no longer has (it
//     was removed meanwhile) is 404 with the detail `"<name>": unknown
//     stream`.
//   - The viewer token is a bearer token; TokenValidFor turns a 401 into a
//     403 for a token that opens another stream (W29).
package whep
