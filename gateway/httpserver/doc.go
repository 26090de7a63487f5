// Package httpserver is the gateway's HTTP(S) service as one component:
// the plain listener and the HTTPS listener beside it, the TLS certificate
// that a reload swaps (every new connection takes the current one), the
// routes that every reload rebuilds whole, the drain that answers 503 with
// Retry-After while Shutdown ends the sessions, net/http's own error lines
// through slog, and the expiry of every TLS certificate the config names
// as a metric. It carries signalling (WHEP, WHIP), the API and the player
// pages, never media: it is beside the packet path, not on it. The
// composition root builds the routes and hands them over.
package httpserver
