package api

import (
	"fmt"
	"net/http"

	"mediagate.dev/mediagate/gateway/stream"
)

// trackJSON is one track as /api/v1/streams shows it.
type trackJSON struct {
	Kind        string `json:"kind"`
	Codec       string `json:"codec"`
	PayloadType uint8  `json:"payload_type"`
	ClockRate   uint32 `json:"clock_rate"`
	Subscribers int    `json:"subscribers"`
}

// describe builds a stream's JSON object: Describe's fields first, then the
// API's own (name, up, viewers, tracks), which win on a clash.
func (h *Handler) describe(s *stream.Stream) map[string]any {
	out := make(map[string]any)
	if h.Describe != nil {
		for k, v := range h.Describe(s) {
			out[k] = v
		}
	}
	tracks := make([]trackJSON, 0, 2)
	for _, t := range s.Tracks() {
		tracks = append(tracks, trackJSON{
			Kind:        t.Kind.String(),
			Codec:       t.Codec.MimeType,
			PayloadType: t.Codec.PayloadType,
			ClockRate:   t.Codec.ClockRate,
			Subscribers: t.Subscribers(),
		})
	}
	out["name"] = s.Name
	out["up"] = s.Up()
	out["viewers"] = s.Viewers()
	out["tracks"] = tracks
	return out
}

// streams lists the hub's streams, sorted by name; none without a hub.
func (h *Handler) streams() []*stream.Stream {
	if h.Hub == nil {
		return nil
	}
	return h.Hub.List()
}

// lookup returns the stream called name, or nil.
func (h *Handler) lookup(name string) *stream.Stream {
	if h.Hub == nil {
		return nil
	}
	return h.Hub.Get(name)
}

// serveStreams answers GET /api/v1/streams with a JSON array of every stream.
func (h *Handler) serveStreams(w http.ResponseWriter, _ *http.Request) {
	list := h.streams()
	out := make([]map[string]any, 0, len(list))
	for _, s := range list {
		out = append(out, h.describe(s))
	}
	writeJSON(w, out)
}

// serveStream answers GET /api/v1/streams/{name} with one stream's object.
func (h *Handler) serveStream(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s := h.lookup(name)
	if s == nil {
		writeProblem(w, http.StatusNotFound, fmt.Errorf("%q: %w", name, ErrUnknownStream))
		return
	}
	writeJSON(w, h.describe(s))
}
