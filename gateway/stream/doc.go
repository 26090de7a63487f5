// Package stream is the hub of the packet path: one Stream per configured or
// published name, each with at most one video and one audio Track, and the
// fan-out from a Track to its subscribers.
//
// A source (gateway/ingest for cameras; later a transcoder or a WHIP
// publisher) writes immutable Packets into a Track. Track.Write loads an
// immutable snapshot of the subscriber list through an atomic pointer, holds
// no lock, and offers the packet to each subscriber's bounded queue; a full
// queue drops the packet for that subscriber alone and counts it. Subscribers
// (gateway/egress viewer tracks, transcoder pipelines) each drain their own
// queue from one goroutine.
//
// A subscriber that sends its own RTP stream (a viewer track, an Output)
// does so through gateway/outbound, which keeps the numbering continuous
// across source restarts and derives its RTCP Sender Reports from the
// source's SenderClock.
package stream
