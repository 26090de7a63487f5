package stream

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// ErrExists is returned when a stream name is already taken.
var ErrExists = errors.New("stream already exists")

// Hub holds the streams by name. It is safe for concurrent use.
type Hub struct {
	mu      sync.RWMutex
	streams map[string]*Stream
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{streams: make(map[string]*Stream)} }

// Add registers s under its name.
func (h *Hub) Add(s *Stream) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.streams[s.Name]; ok {
		return fmt.Errorf("%q: %w", s.Name, ErrExists)
	}
	h.streams[s.Name] = s
	return nil
}

// Get returns the stream called name, or nil.
func (h *Hub) Get(name string) *Stream {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.streams[name]
}

// Remove unregisters the stream called name and closes it.
func (h *Hub) Remove(name string) {
	h.mu.Lock()
	s := h.streams[name]
	delete(h.streams, name)
	h.mu.Unlock()
	if s != nil {
		s.Close()
	}
}

// List returns every stream, sorted by name.
func (h *Hub) List() []*Stream {
	h.mu.RLock()
	out := make([]*Stream, 0, len(h.streams))
	for _, s := range h.streams {
		out = append(out, s)
	}
	h.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
