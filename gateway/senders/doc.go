// Package senders is the sender API's stream side: streams created at run
// time from a sender's SDP (POST /api/v1/streams), as Kurento's RtpEndpoint
// did, rather than from a [[stream]] table of the config file.
//
// It sits before the packet path. A Streams plans a stream from the
// sender's offer (or for the gateway's own offer), validates it as the
// config file would, binds it to the next free port of ingest.port_range
// through its Add hook, and writes the SDP a sender needs (sendersdp does
// the offer/answer itself). From then on the stream is an ordinary one: it
// lives in the hub and among the ingest sources like a configured stream,
// and packets flow camera → ingest → stream → egress without passing here.
// Streams only keeps the streams' SDP and viewer tokens, reaps the streams
// whose sender has been silent for senders.idle_timeout, and removes the
// ones the API deletes.
//
// The HTTP endpoints are api.Senders (gateway/api/sender.go); Streams is
// the api.SenderStreams behind them, and Routes registers both. The
// composition root (package gateway) constructs one Streams, hands it the
// running config, the hub and its own add/remove of a stream, starts it in
// New and closes it at shutdown.
//
// Decisions recorded here:
//   - API-created streams never enter the config, so a reload, which
//     applies the difference between two configs, never touches them.
//   - A stream goes down after ingest.source_timeout of silence; the idle
//     clock therefore counts from that long before it is first seen down.
//   - Metrics keep their names: mediagate_sender_streams,
//     mediagate_sender_streams_created_total{role},
//     mediagate_sender_streams_removed_total{reason}.
package senders
