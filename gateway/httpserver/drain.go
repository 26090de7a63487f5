package httpserver

import (
	"context"
	"net/http"
	"sync"

	"mediagate.dev/mediagate/gateway/signal"
)

// drainRetryAfter is the Retry-After of the 503 a draining server answers:
// about the time systemd takes to start the gateway again.
const drainRetryAfter = signal.DefaultRetryAfter

// drain counts the requests in flight and, once Server.Drain starts it,
// answers every new request 503 with Retry-After (RFC 9110 §15.6.4)
// instead of leaving the client to a refused connection: the HTTP
// listeners stay open until the sessions have ended.
type drain struct {
	mu       sync.Mutex
	draining bool
	active   int
	idle     chan struct{}   // made by start, closed when no request is active
	closed   bool            // idle is closed
	base     context.Context // cancelled by start: it ends the requests in flight
	cancel   context.CancelFunc
}

// newDrain returns a drain that lets requests through.
func newDrain() *drain {
	d := &drain{}
	d.base, d.cancel = context.WithCancel(context.Background())
	return d
}

// wrap counts the requests of next, whose contexts end when the drain
// starts, and refuses new ones once draining.
func (d *drain) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !d.enter() {
			w.Header().Set("Connection", "close")
			signal.SetRetryAfter(w.Header(), drainRetryAfter)
			signal.WriteProblem(w, http.StatusServiceUnavailable, "shutting down")
			return
		}
		defer d.leave()
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		defer context.AfterFunc(d.base, cancel)()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (d *drain) enter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.draining {
		return false
	}
	d.active++
	return true
}

func (d *drain) leave() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.active--
	d.closeIdle()
}

// closeIdle closes idle once draining and no request is active; d.mu must
// be held.
func (d *drain) closeIdle() {
	if d.draining && d.active == 0 && !d.closed {
		close(d.idle)
		d.closed = true
	}
}

// start refuses new requests from now on and cancels the contexts of
// those in flight (an event stream ends, a WHEP setup gives up), and
// returns a channel closed once none is active. It may be called more than
// once.
func (d *drain) start() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.draining {
		d.draining = true
		d.idle = make(chan struct{})
		d.cancel()
	}
	d.closeIdle()
	return d.idle
}
