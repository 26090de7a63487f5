// Package webhook POSTs the gateway's events to operators' HTTP receivers
// as they happen, so that nobody has to poll: every event of the bus
// (stream.*, viewer.*, source.*, transcoding.*) that a receiver's filter
// selects, as one JSON object per request.
//
// It sits beside the packet path, never in it. The gateway subscribes a
// Deliverer to the event bus, whose Publish never blocks; Deliver only
// enqueues, without blocking either. Each receiver owns a bounded queue and
// one goroutine that sends its events in order, so a slow or dead
// receiver delays only itself, and what its full queue cannot take is
// dropped and counted (mediagate_webhook_events_total{result="dropped"}).
//
// Decisions recorded here:
//   - A request carries X-Mediagate-Signature: sha256=<hex>, the
//     HMAC-SHA256 (RFC 2104) under the receiver's secret of the
//     X-Mediagate-Timestamp value (Unix seconds), a dot, and the body. The
//     timestamp inside the MAC lets a receiver refuse replays (Verify
//     takes a maximum age); X-Mediagate-Delivery identifies the event
//     across retries, for deduplication.
//   - Retries: a transport error, a timeout, 408, 429 and 5xx are retried
//     with exponential backoff (1s doubling to 30s by default, or the
//     receiver's Retry-After when it asks for longer) until MaxAttempts;
//     any other answer that is not 2xx, redirects included, is final.
//     Order is kept: a receiver's next event waits for the current one.
//   - Receivers are replaced whole on reload (SetReceivers): one whose
//     settings did not change keeps its queue and worker.
package webhook
