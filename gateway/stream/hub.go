package stream

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// ErrExists is returned when a stream name is already taken.
var ErrExists = errors.New("stream already exists")

// Hub holds the streams by name. It is safe for concurrent use.
type Hub struct {
	mu       sync.RWMutex
	streams  map[string]*Stream
	watchers []*watcher // copied on change, so a notification reads it unlocked
}

// watcher is one Watch registration; its address identifies it.
type watcher struct{ fn func(name string, st *Stream) }

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{streams: make(map[string]*Stream)} }

// Add registers s under its name and tells the watchers.
func (h *Hub) Add(s *Stream) error {
	h.mu.Lock()
	if _, ok := h.streams[s.Name]; ok {
		h.mu.Unlock()
		return fmt.Errorf("%q: %w", s.Name, ErrExists)
	}
	h.streams[s.Name] = s
	ws := h.watchers
	h.mu.Unlock()
	notify(ws, s.Name, s)
	return nil
}

// Get returns the stream called name, or nil.
func (h *Hub) Get(name string) *Stream {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.streams[name]
}

// Remove unregisters the stream called name, closes it and tells the
// watchers.
func (h *Hub) Remove(name string) {
	h.mu.Lock()
	s := h.streams[name]
	delete(h.streams, name)
	ws := h.watchers
	h.mu.Unlock()
	if s != nil {
		s.Close()
		notify(ws, name, nil)
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

// Watch calls fn whenever a stream is added (st is the new stream) or
// removed (st is nil); a stream rebuilt under its name shows as a removal
// followed by an addition. fn runs on the goroutine that changed the hub,
// after the change and with no lock of the hub held, so it may call the
// hub; it must not block. Calls for changes made concurrently may arrive
// in either order: a watcher that needs the latest state reads it with
// Get. The returned function ends the watch; it is idempotent.
func (h *Hub) Watch(fn func(name string, st *Stream)) (stop func()) {
	w := &watcher{fn: fn}
	h.mu.Lock()
	h.watchers = append(slices.Clip(h.watchers), w)
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.watchers = slices.DeleteFunc(slices.Clone(h.watchers), func(x *watcher) bool { return x == w })
	}
}

// notify calls each watcher in ws with one change.
func notify(ws []*watcher, name string, st *Stream) {
	for _, w := range ws {
		w.fn(name, st)
	}
}
