// Package signal is the one HTTP signalling engine of RFC 9725 (WHIP),
// whose HTTP rules draft-ietf-wish-whep (WHEP) follows: gateway/whep mounts
// a Handler at /whep/ for viewers and gateway/whip one at /whip/ for
// publishers; each supplies only its Opener, its tokens and its Link headers.
//
// Place in the packet path: none. signal never touches media. A POST to
// <Path><stream> carries an SDP offer; the Handler checks it (content type,
// size, bearer token), parses it once with pion/sdp and hands the parsed
// description to Handler.Open — gateway/egress builds a viewer's
// PeerConnection, gateway/whip a publisher's — and returns the SDP answer
// with 201 Created and the session URL <Path><stream>/<id>. pion parses the
// offer once more inside SetRemoteDescription; that parse is pion's own and
// cannot be avoided. From then on media flows; signal only relays trickled
// ICE candidates and ICE restarts (PATCH with
// application/trickle-ice-sdpfrag, RFC 8840) and tears the session down on
// DELETE. Classify is the one table from the sentinel errors of the
// sessions (kinds ErrInvalid, ErrNotFound, ErrConflict, ErrUnacceptable,
// ErrUnavailable) to HTTP status and problem type. signal never imports
// pion/webrtc; gateway/signal/jsep holds the SDP rewrites that the sessions
// share.
//
// Decisions recorded here (see the WHEP checklist for the numbering):
//
//   - W14: GET on the endpoint or a session answers 204 No Content; HEAD on
//     the endpoint answers 200 with Content-Type application/sdp and no body;
//     HEAD on a session answers 204 like GET. Neither needs a token.
//   - W15-W17: a CORS preflight (OPTIONS with Access-Control-Request-Method)
//     is answered 204 for any path, never 401 and never with Link headers.
//     A plain OPTIONS on the endpoint checks the token first, then answers
//     204 with Accept-Post and the ice-server Link headers.
//   - W20/W24/W26: PATCH needs If-Match (428 without, 412 when stale).
//     If-Match: * and If-Match: "*" both request an ICE restart, and so does
//     a fragment whose ice-ufrag or ice-pwd differs from the session's.
//     A restart must carry a new ice-ufrag and a new ice-pwd (RFC 8445 §9),
//     otherwise 400. A failed restart leaves the session as it was (W25).
//   - W22: trickled candidates that the session refuses are discarded; the
//     PATCH still answers 204. a=end-of-candidates is accepted and not
//     forwarded (the server never waits for it).
//   - Candidates are capped per ICE session (offer or restart fragment plus
//     every trickle PATCH, MaxCandidates): over the cap is 413.
//   - W32: per-client token buckets (client = remote IP, IPv6 grouped by
//     /64; X-Forwarded-For is not trusted). POST and plain OPTIONS on the
//     endpoint spend PostRate; PATCH and DELETE spend PatchRate. Over the
//     rate is 429 with Retry-After. MaxPerIP concurrent sessions per client
//     is also 429 (the client, not the server, is over its share); 503 with
//     Retry-After is kept for server capacity and shutdown (W13).
//   - Half-open sessions (POSTed, not yet connected: see Connector) are
//     counted apart per client and per stream: MaxHalfOpenPerIP, and never
//     more than half of a stream's MaxHalfOpen, is 429 to the client that
//     holds them; the stream's MaxHalfOpen is 503 with Retry-After. So a
//     client that posts offers and never connects is refused before it
//     can fill a stream, and the next viewer is not.
//   - W29: the stream's token is a bearer token (RFC 6750 §2.1) compared in
//     constant time. An unknown stream is 404 before any token check.
//     Session URLs are capabilities (128-bit random IDs, W33): PATCH,
//     DELETE and GET on them need no token.
//   - An offer that pion/sdp cannot parse is 400 at the POST, before the
//     per-client session cap is counted; its detail is the parser's error,
//     as it was when the sessions parsed the offer themselves.
//   - Logs carry endpoint=<Name> and never carry tokens, the Authorization
//     header, the query string or session IDs: a session goes by PublicID,
//     8 hex digits of the SHA-256 of its ID, in logs, events and webhooks,
//     which names it without revealing any of the secret. Strings taken
//     from SDP or the URL are escaped before they are logged.
package signal
