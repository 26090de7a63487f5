package api

import (
	"fmt"
	"net/http"
)

// health is the body of GET /healthz. It names each check and what the
// check looks at, so that a monitor (or a person with curl) knows what an
// "ok" promises.
type health struct {
	// Status is "ok", or "stalled" when a check failed (with status 503).
	Status  string        `json:"status"`
	Version string        `json:"version"`
	Checks  []healthCheck `json:"checks"`
}

// healthCheck is one check of /healthz.
type healthCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"` // "ok" | "stalled"
	// What says what the check looks at.
	What string `json:"what"`
	// Stuck names the media loops that stopped ("cam1/rtp").
	Stuck []string `json:"stuck,omitempty"`
}

// serveHealth answers GET /healthz: 200 while every check passes, 503
// while a stream's media loops are stalled (the state in which the
// systemd watchdog stops being fed and, after WatchdogSec, restarts the
// service). The process answering at all is the HTTP server's check.
func (h *Handler) serveHealth(w http.ResponseWriter, _ *http.Request) {
	body := health{Status: "ok", Version: h.Version, Checks: []healthCheck{{
		Name: "http", Status: "ok", What: "the HTTP server answers requests",
	}}}
	if h.StuckLoops != nil {
		c := healthCheck{Name: "media_loops", Status: "ok",
			What: fmt.Sprintf("every stream's ingest read loops (RTP, RTCP) ran within the last %v, "+
				"whether or not a sender is sending", h.StuckAfter)}
		if c.Stuck = h.StuckLoops(); len(c.Stuck) > 0 {
			c.Status, body.Status = "stalled", "stalled"
		}
		body.Checks = append(body.Checks, c)
	}
	code := http.StatusOK
	if body.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSONStatus(w, code, body)
}
