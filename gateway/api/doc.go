// Package api serves mediagate's HTTP surface for operators and viewers, apart
// from WHEP/WHIP signalling: the control API under /api/v1 (JSON, admin bearer
// token), Server-Sent Events of the event bus at /api/v1/events, Prometheus
// metrics at /metrics, a health check at /healthz, and the embedded player: a
// stream list at / and a WHEP player page at /view/<name>.
//
// It sits beside the packet path, not in it: it reads the stream.Hub (names,
// up/down state, viewer counts, track codecs and subscriber counts) and
// subscribes to the event.Bus, and never touches a Packet. The player page
// reaches the packet path through the WHEP endpoint that gateway/whep serves
// on the same mux.
//
// Decisions recorded here:
//   - Handler is shaped like http.Server: exported fields, wired by the
//     composition root, then Routes registers its endpoints on a ServeMux.
//   - The admin token is compared in constant time over SHA-256 digests, so
//     neither its content nor its length leaks through timing. An empty
//     AdminToken refuses the API with 403 instead of leaving it open.
//   - Errors are RFC 9457 problem details (application/problem+json).
//   - The SSE handler keeps a rolling write deadline (http.ResponseController),
//     so a long-lived event stream outlives the server's WriteTimeout while a
//     client that stops reading is still dropped after one write window.
//   - HTML pages carry a Content-Security-Policy that allows only same-origin
//     scripts, styles and fetches; the player's JavaScript and CSS are
//     separate embedded files under /static/, and the pages hold no token and
//     no address. The player takes its viewer token from the URL fragment
//     (never sent to the server) or a password field, and sends it only as an
//     Authorization header.
package api
