// Package gateway is mediagate's composition root: it turns a config.Config
// into running parts and wires them together. It holds no feature of its
// own: New, Run, Shutdown, Reload, the watchdog's view of the media loops,
// and the HTTP routes; every capability lives in the package named after it.
//
//	config ─▶ Gateway.New ─┬─ event.Bus (one bus: log, SSE, webhook.Follow)
//	                       ├─ stream.Hub (one Stream per [[stream]], tracks from its media tables)
//	                       ├─ ingest.Source per RTP stream (UDP sockets, latching, SRTP, RTCP back),
//	                       │  its heartbeats in a watchdog.Loops
//	                       ├─ rendition.Manager: shared transcoded renditions (egress's
//	                       │  Renditions) and the testsrc.Source of each testpattern stream
//	                       ├─ bwe.Router: viewers' REMB → shared encoders, thinning, and the
//	                       │  demand that bwe.Upstream sends to each stream's sender
//	                       ├─ egress.Manager (the shared webrtc.API, ICE UDP/TCP mux, viewers)
//	                       ├─ output.Manager: [stream.output] senders, following their
//	                       │  stream through the hub's Watch hook
//	                       ├─ forward.Manager: [[stream.forward]] WHIP clients (their REMB
//	                       │  into bwe.Router), and a forward.Pull per source = "whep"
//	                       │  stream, its media through whip's publishers (forwardwire.go)
//	                       ├─ relay.Service: the TURN server and its Link-header credentials
//	                       └─ httpserver.Server (HTTP and HTTPS, the drain): whep.Handler at /whep/, whip.Handler
//	                          at /whip/ (both on signal's RFC 9725 engine), api.Handler for
//	                          the rest, senders.Streams for the sender API
//
// The sender API (gateway/senders) creates streams at run time from SDP:
// they live in the hub and the sources like configured ones, never in the
// config, on a port of ingest.port_range, until deleted or silent for
// senders.idle_timeout.
//
// New binds every socket, so a caller that gets a Gateway back knows every
// listener is up (the moment to tell systemd READY=1). Run serves until its
// context ends; Shutdown drains.
//
// Reload (reload*.go) applies a new config by difference: config.Diff, then
// only the streams and settings that changed; the viewers of unchanged
// streams, and streams created through the API, are never touched. Every
// ingest read loop heartbeats into a watchdog.Loops (sources.go), and
// StuckLoops names the ones that stopped: the systemd watchdog is fed only
// while it is empty. The dependency rules between these packages are
// internal/layout's test.
package gateway
