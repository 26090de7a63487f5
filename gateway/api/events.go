package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"mediagate.dev/mediagate/gateway/event"
)

// Server-Sent Events settings (WHATWG HTML §9.2, "Server-sent events").
const (
	// eventQueueDepth bounds the events buffered for one slow client; the bus
	// drops and counts what does not fit.
	eventQueueDepth = 256
	// heartbeatInterval is how often an idle stream sends a comment, so that
	// proxies keep it open and a vanished client is noticed.
	heartbeatInterval = 15 * time.Second
	// sseWriteWindow bounds a single write: a client that stops reading is
	// dropped after it.
	sseWriteWindow = 30 * time.Second
	// sseRetry is the reconnection delay suggested to EventSource clients.
	sseRetry = "retry: 2000\n\n"
	// sseHeartbeat is the comment line sent every heartbeatInterval.
	sseHeartbeat = ": ping\n\n"
)

// serveEvents answers GET /api/v1/events with a text/event-stream of every
// event published on the bus from now on, until the client goes away.
func (h *Handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	if h.Bus == nil {
		writeProblem(w, http.StatusServiceUnavailable, ErrNoEvents)
		return
	}
	events, cancel := h.Bus.Subscribe(eventQueueDepth)
	defer cancel()
	h.Metrics.sseConnected(1)
	defer h.Metrics.sseConnected(-1)

	log := h.logger().With("remote", r.RemoteAddr)
	c := &sseConn{w: w, rc: http.NewResponseController(w)}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	log.Debug("event stream opened")
	err := c.run(r.Context(), events, log)
	log.Debug("event stream closed", "reason", err)
}

// sseConn writes one client's event stream.
type sseConn struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// run sends the retry hint, then every event and a heartbeat comment until
// ctx ends or a write fails, and returns why it stopped.
func (c *sseConn) run(ctx context.Context, events <-chan event.Event, log *slog.Logger) error {
	if err := c.send([]byte(sseRetry)); err != nil {
		return err
	}
	tick := time.NewTicker(heartbeatInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-events:
			frame, err := encodeEvent(e)
			if err != nil {
				log.Warn("event stream: event not encodable", "event", string(e.Type), "error", err)
				continue
			}
			if err := c.send(frame); err != nil {
				return err
			}
		case <-tick.C:
			if err := c.send([]byte(sseHeartbeat)); err != nil {
				return err
			}
		}
	}
}

// send writes one frame and flushes it under a fresh write deadline: the
// server's WriteTimeout would otherwise cut the stream, while a client that
// stops reading still fails the write after sseWriteWindow. (ReadTimeout
// needs nothing: a bodiless GET is not read from once the handler runs.)
func (c *sseConn) send(frame []byte) error {
	err := c.rc.SetWriteDeadline(time.Now().Add(sseWriteWindow))
	if err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := c.w.Write(frame); err != nil {
		return err
	}
	return c.rc.Flush()
}

// encodeEvent frames e as "event: <type>", "data: <json>" and a blank line.
// JSON escapes CR and LF inside strings, so the data is always one line; the
// type has them removed for the same reason.
func encodeEvent(e event.Event) ([]byte, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	typ := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, string(e.Type))
	frame := make([]byte, 0, len(data)+len(typ)+18)
	frame = append(frame, "event: "...)
	frame = append(frame, typ...)
	frame = append(frame, "\ndata: "...)
	frame = append(frame, data...)
	return append(frame, "\n\n"...), nil
}
