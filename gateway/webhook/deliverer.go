package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"mediagate.dev/mediagate/gateway/event"
)

// Defaults of the Deliverer's retry pacing.
const (
	// DefaultBackoff is the delay before the first retry; it doubles for
	// each further one.
	DefaultBackoff = time.Second
	// DefaultMaxBackoff caps the delay between two attempts.
	DefaultMaxBackoff = 30 * time.Second
)

// Deliverer POSTs events to receivers. Set its fields, then call
// SetReceivers and Run; the fields must not change afterwards. The zero
// value delivers to no one. Close stops it.
type Deliverer struct {
	// Client sends the requests; nil uses one that follows no redirects
	// (a redirected POST would lose its body).
	Client *http.Client
	// Log receives the deliverer's logs, already scoped; nil discards.
	Log *slog.Logger
	// Metrics counts events and requests; nil counts nothing.
	Metrics *Metrics
	// Backoff and MaxBackoff pace retries; zero means DefaultBackoff and
	// DefaultMaxBackoff.
	Backoff, MaxBackoff time.Duration

	initOnce sync.Once
	mu       sync.Mutex
	targets  []*target
	closed   bool
}

// payload is the JSON body of a delivery: the event and its delivery ID.
type payload struct {
	ID string `json:"id"`
	event.Event
}

// job is one event ready to send to one receiver.
type job struct {
	id, typ string
	body    []byte
}

func (d *Deliverer) init() {
	d.initOnce.Do(func() {
		if d.Client == nil {
			d.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}}
		}
		if d.Log == nil {
			d.Log = slog.New(slog.DiscardHandler)
		}
		if d.Backoff <= 0 {
			d.Backoff = DefaultBackoff
		}
		if d.MaxBackoff <= 0 {
			d.MaxBackoff = DefaultMaxBackoff
		}
	})
}

// SetReceivers makes rs the receivers events go to. A receiver whose
// settings did not change keeps its queue and its event in flight; the
// others are stopped, their queued events discarded and counted.
func (d *Deliverer) SetReceivers(rs []Receiver) {
	d.init()
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	old := make(map[string][]*target)
	for _, t := range d.targets {
		old[t.id] = append(old[t.id], t)
	}
	next := make([]*target, 0, len(rs))
	for _, r := range rs {
		r = r.withDefaults()
		if ts := old[r.identity()]; len(ts) > 0 {
			next, old[r.identity()] = append(next, ts[0]), ts[1:]
			continue
		}
		next = append(next, d.start(r))
	}
	d.targets = next
	d.mu.Unlock()
	for _, ts := range old {
		for _, t := range ts {
			t.close()
		}
	}
}

// Deliver hands e to every receiver whose filter selects it. It never
// blocks: a receiver whose queue is full loses e, which is counted.
func (d *Deliverer) Deliver(e event.Event) {
	d.mu.Lock()
	targets := d.targets
	d.mu.Unlock()
	var j job
	for _, t := range targets {
		if !t.r.wants(e.Type) {
			continue
		}
		if j.body == nil {
			j = newJob(e)
		}
		t.enqueue(j)
	}
}

func newJob(e event.Event) job {
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	p := payload{ID: hex.EncodeToString(id[:]), Event: e}
	body, _ := json.Marshal(p) // strings, a time and a map of strings always marshal
	return job{id: p.ID, typ: string(e.Type), body: body}
}

// Run delivers every event from events until ctx ends. Subscribe it to the
// event bus: events, cancel := bus.Subscribe(depth).
func (d *Deliverer) Run(ctx context.Context, events <-chan event.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-events:
			d.Deliver(e)
		}
	}
}

// Close stops every receiver, abandoning the requests in flight, and
// counts the events still queued as discarded. It is idempotent.
func (d *Deliverer) Close() {
	d.mu.Lock()
	targets := d.targets
	d.targets, d.closed = nil, true
	d.mu.Unlock()
	for _, t := range targets {
		t.close()
	}
}
