// Package gateway is mediagate's composition root: it turns a config.Config
// into running parts and wires them together.
//
//	config ─▶ Gateway.New ─┬─ event.Bus (one bus: log, SSE, webhooks.go)
//	                       ├─ stream.Hub (one Stream per [[stream]], tracks from its media tables)
//	                       ├─ ingest.Source per RTP stream (UDP sockets, latching, SRTP, RTCP back)
//	                       ├─ rendition.Manager: shared transcoded renditions (egress's
//	                       │  Renditions) and the testsrc.Source of each testpattern stream
//	                       ├─ egress.Manager (the shared webrtc.API, ICE UDP/TCP mux, viewers)
//	                       └─ HTTP (and HTTPS, tls.go): whep.Handler at /whep/, api.Handler for
//	                          the rest, api.Senders for the sender API (sender*.go)
//
// The sender API creates streams at run time from SDP (sender*.go): they
// live in the hub and the sources like configured ones, never in the config,
// on a port of ingest.port_range, until deleted or silent for
// senders.idle_timeout.
//
// A viewer that cannot take a source's codec gets a transcoded rendition
// (gateway/rendition): a transcoder.Pipeline subscribed to the source track and
// writing a derived track, started by the first viewer that needs it,
// shared, and stopped transcode.grace_period after the last one leaves, with
// transcoding.active and transcoding.inactive on the bus.
//
// New binds every socket, so a caller that gets a Gateway back knows every
// listener is up (the moment to tell systemd READY=1). Run serves until its
// context ends; Shutdown drains.
//
// Reload (reload*.go) applies a new config by difference: config.Diff, then
// only the streams and settings that changed; the viewers of unchanged
// streams, and streams created through the API, are never touched. Every
// ingest read loop heartbeats into health.go, and StuckLoops names the ones
// that stopped: the systemd watchdog is fed only while it is empty.
package gateway
