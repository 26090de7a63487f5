// Package forward is the gateway's RFC 9725 client, in both directions a
// stream can leave or reach one box: it publishes a stream by WHIP to
// another server or an SFU cluster ([[stream.forward]], Forward and
// Manager), and it pulls a stream from another WHEP server as the stream's
// source (source = "whep", Pull). docs/scaling.md is the operator's view.
//
// Place in the packet path. A Forward is one more subscriber of the
// stream's source tracks (or of a transcoded rendition of one, when the
// endpoint refused the source codec), like a viewer:
//
//	stream.Track.Write → outbound.Feed (bounded, drops counted)
//	  → session send loop: outbound.Track (own SSRC and numbering,
//	    keyframe gate, parameter sets) → pion (NACK responder, SRTP) → ICE
//	  every second: Sender Reports from the source's SenderClock
//	remote RTCP → outbound.Feedback: PLI/FIR → Stream.RequestKeyframe;
//	  REMB → bwe.Router.OnConsumerREMB (the viewers' aggregate, so the
//	  camera slows down for the remote); receiver reports → RTT
//
// A Pull is the stream's source: its media path is a WHIP publisher's
// (gateway/whip, Manager.Offer and Publisher.Accept swap the offer/answer
// roles), so packets enter stream.Track.Write with keyframe flags, Sender
// Reports set the SenderClock, and the REMB sent to the server follows
// bwe.Upstream's rule with the edge's consumers as the demand.
//
// Client is the HTTP side both share: POST with the offer, 307/308
// redirects followed by hand up to a bound (so the bearer token goes to
// the new host, never from https to http), Location resolved against the
// URL that answered, ETag kept, ice-server Link headers read (§4.6),
// PATCH with If-Match (trickle, and "*" for ICE restarts, §4.3.3), DELETE.
// Errors are StatusError or sentinels; Permanent tells the refusals that
// retrying cannot mend (400, 401, 403, 404, 405, 415, 422, redirect loops,
// 301/302/303) from those worth a backoff.
//
// Decisions recorded here:
//
//   - A forward runs while its stream has a source (Stream.Up) and DELETEs
//     its session when the source goes, the stream is rebuilt (SetStream),
//     the table is removed or changed on reload, or the gateway stops. A
//     pull runs while the stream has subscribers (stream.OnSubscribers,
//     the hook on its tracks' subscription count) and Linger after.
//   - Failures: capped exponential backoff with jitter (half to all of the
//     wait), reset after a session that carried media. A Permanent failure
//     puts the forward in StateFailed until its source restarts (a pull:
//     until its consumers leave and return), or a reload replaces it; it
//     is logged once at ERROR with the reason, never the token.
//   - The offer carries what ICE gathered within two seconds; later
//     candidates are trickled. ICE that stays disconnected for three
//     seconds, or fails, is restarted through the server with the TURN
//     servers of the last answer's Link headers; a restart the server
//     refuses ends the session (retried with backoff). The next attempts
//     start with those ICE servers too.
//   - The remote's REMB counts as one more viewer's (bwe.Consumer): never
//     thinned, it holds the demand at the stream's floor at worst.
//   - Forwards send the source tracks untouched, unless the endpoint
//     refuses a codec (422 or 415, or a 201 whose m-line of that kind is
//     rejected or names none of the codecs offered) and Config.Renditions
//     has targets for it: the next attempt, at once, offers those
//     renditions' codecs after the source's (each kind once), and a
//     sender whose answer picked one sends the shared rendition
//     (Renditions.Acquire, reason ReasonRefused), given back when the
//     session ends; its REMB steers the rendition's encoder (bwe's
//     Consumer with Renditions), PLI/FIR ask it for key frames. The
//     source's codecs are offered alone again after the source restarts,
//     the stream is rebuilt, or a reload (PreferSource).
//   - Tokens: a token, or a token file read at each request (rotation
//     without reload). URLs in logs, metrics and events lose their query
//     and user info (Redact); transport errors lose their URL.
package forward
