package signal

import (
	"log/slog"
	"sync"
)

// session is one registered session, a viewer's or a publisher's.
type session struct {
	id, stream string
	client     string // clients key holding one of this client's session slots
	sess       Session
	log        *slog.Logger
	template   Frag // the answer's ICE attributes, for restart replies

	// mu serialises PATCH and DELETE and guards the fields below.
	mu         sync.Mutex
	closed     bool
	etag       string // current strong entity-tag of the ICE session
	ufrag, pwd string // the client's current ICE credentials
	candidates int    // remote candidates of the current ICE session

	dropOnce   sync.Once
	settleOnce sync.Once // uncounts the session as half-open
}

// register adds s and starts the goroutine that drops it when the session
// ends. It refuses (false) once the handler is closed.
func (h *Handler) register(s *session) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed.Load() {
		return false
	}
	h.sessions[s.id] = s
	h.Metrics.sessionAdded(s.stream)
	h.wg.Add(1)
	go h.watch(s)
	return true
}

// watch uncounts the session as half-open when its client connects, and
// waits for it to end, or for the handler to close, and drops it.
func (h *Handler) watch(s *session) {
	defer h.wg.Done()
	connected := connectedChan(s.sess)
	for {
		select {
		case <-connected:
			h.settle(s)
			connected = nil
		case <-s.sess.Done():
			s.mu.Lock()
			s.closed = true
			s.mu.Unlock()
			h.drop(s, "ended")
			return
		case <-h.quit:
			return
		}
	}
}

// drop unregisters s and frees its client slot, once.
func (h *Handler) drop(s *session, reason string) {
	s.dropOnce.Do(func() {
		h.mu.Lock()
		delete(h.sessions, s.id)
		h.mu.Unlock()
		h.settle(s)
		h.clients.release(s.client)
		h.Metrics.sessionRemoved(s.stream)
		s.log.Info("session removed", "reason", reason)
	})
}

// lookup returns the live session id of stream, or nil.
func (h *Handler) lookup(stream, id string) *session {
	if !isSessionID(id) {
		return nil
	}
	h.mu.Lock()
	s := h.sessions[id]
	h.mu.Unlock()
	if s == nil || s.stream != stream {
		return nil
	}
	return s
}

// end closes s unless it is closed already, reporting whether this call
// closed it. Callers drop it afterwards.
func (s *session) end() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.closed = true
	s.sess.Close()
	return true
}

// Sessions returns the number of registered sessions.
func (h *Handler) Sessions() int {
	h.once.Do(h.init)
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// Close closes every session and refuses new ones with 503. It waits for
// the handler's goroutines and may be called more than once.
func (h *Handler) Close() {
	h.once.Do(h.init)
	if h.closed.CompareAndSwap(false, true) {
		close(h.quit)
	}
	h.mu.Lock()
	all := make([]*session, 0, len(h.sessions))
	for _, s := range h.sessions {
		all = append(all, s)
	}
	h.mu.Unlock()
	for _, s := range all {
		s.end()
		h.drop(s, "shutdown")
	}
	h.wg.Wait()
}
