package signal

import (
	"net/http"
	"sync"
)

// Connector is a Session that reports when its client has connected (ICE
// connected, RFC 8445 §8). Until then the session is half-open: it holds
// a viewer's or publisher's slot without anybody behind it yet, which is
// what a client that posts offers and never connects accumulates. The
// Handler counts half-open sessions per client and per stream
// (MaxHalfOpenPerIP, MaxHalfOpen); a Session that is not a Connector is
// counted as connected once Open returns.
type Connector interface {
	// Connected is closed once the client has connected.
	Connected() <-chan struct{}
}

// halfOpenTable counts each stream's half-open sessions.
type halfOpenTable struct {
	mu sync.Mutex
	m  map[string]int
}

// acquire counts one more half-open session of stream unless it has limit
// already (0: no limit).
func (t *halfOpenTable) acquire(stream string, limit int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if limit > 0 && t.m[stream] >= limit {
		return false
	}
	t.m[stream]++
	return true
}

// release uncounts a half-open session of stream.
func (t *halfOpenTable) release(stream string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m[stream] <= 1 {
		delete(t.m, stream)
		return
	}
	t.m[stream]--
}

// halfOpenCaps returns the caps on stream's half-open sessions (0: none)
// and on those of one client: MaxHalfOpenPerIP, and never more than half
// of the stream's, so that one client alone cannot take every slot of a
// stream that a connecting viewer needs.
func (h *Handler) halfOpenCaps(stream string) (perStream, perClient int) {
	if h.MaxHalfOpen != nil {
		perStream = h.MaxHalfOpen(stream)
	}
	perClient = h.MaxHalfOpenPerIP
	if perStream > 0 {
		half := max(1, perStream/2)
		if perClient <= 0 || perClient > half {
			perClient = half
		}
	}
	return perStream, perClient
}

// acquireSlots counts a new half-open session of the request's client and
// stream, answering 429 with Retry-After when the client is over one of
// its caps and 503 with Retry-After when the stream has too many
// sessions connecting: the client that floods gets the 429, before the
// stream fills. It returns the client key to release.
func (h *Handler) acquireSlots(w http.ResponseWriter, remote, stream string) (string, bool) {
	perStream, perClient := h.halfOpenCaps(stream)
	key, err := h.clients.acquire(clientKey(remote), perClient)
	if err != nil {
		SetRetryAfter(w.Header(), h.retryAfter())
		WriteProblem(w, http.StatusTooManyRequests, err.Error())
		return "", false
	}
	if !h.halfOpen.acquire(stream, perStream) {
		h.clients.connected(key)
		h.clients.release(key)
		h.unavailable(w, "too many sessions of this stream are connecting")
		return "", false
	}
	h.Metrics.halfOpenAdded(stream)
	return key, true
}

// settle uncounts s as half-open, once: when its client connects, or when
// it is dropped or fails to open before that.
func (h *Handler) settle(s *session) {
	s.settleOnce.Do(func() {
		h.clients.connected(s.client)
		h.halfOpen.release(s.stream)
		h.Metrics.halfOpenRemoved(s.stream)
	})
}

// connectedChan returns the channel closed when sess's client connects:
// a closed one for a Session that is not a Connector.
func connectedChan(sess Session) <-chan struct{} {
	if c, ok := sess.(Connector); ok {
		return c.Connected()
	}
	done := make(chan struct{})
	close(done)
	return done
}
