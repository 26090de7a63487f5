package event

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Type names an event. The names are a stable interface (see DESIGN.md).
type Type string

// The event types of the core bridge.
const (
	StreamUp       Type = "stream.up"
	StreamDown     Type = "stream.down"
	ViewerJoin     Type = "viewer.join"
	ViewerLeave    Type = "viewer.leave"
	SourceLatched  Type = "source.latched"
	SourceRejected Type = "source.rejected"
	// TranscodingActive and TranscodingInactive mark a transcoded rendition
	// starting and stopping; their data carries "from", "to" (MIME types)
	// and "reason".
	TranscodingActive   Type = "transcoding.active"
	TranscodingInactive Type = "transcoding.inactive"
	// ForwardUp and ForwardDown mark a WHIP forward ([[stream.forward]])
	// connecting and disconnecting; their data carries "url" (without
	// query or user info) and, for ForwardDown, "reason".
	ForwardUp   Type = "forward.up"
	ForwardDown Type = "forward.down"
	// PullUp and PullDown mark a WHEP pull (source "whep") connecting and
	// disconnecting; their data carries "url" and, for PullDown, "reason".
	PullUp   Type = "pull.up"
	PullDown Type = "pull.down"
)

// Event is one thing that happened, as subscribers, SSE clients and webhook
// receivers see it.
type Event struct {
	Type   Type              `json:"type"`
	Time   time.Time         `json:"time"`
	Stream string            `json:"stream,omitempty"`
	Data   map[string]string `json:"data,omitempty"`
}

// Bus fans events out to subscribers. The zero value is not usable; call New.
type Bus struct {
	log     *slog.Logger
	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	dropped atomic.Uint64
}

type subscriber struct {
	ch chan Event
}

// New returns a bus that logs every event it carries to log.
func New(log *slog.Logger) *Bus {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Bus{log: log, subs: make(map[*subscriber]struct{})}
}

// Publish stamps e with the current time (when unset), logs it and hands it to
// every subscriber without blocking.
func (b *Bus) Publish(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	attrs := []any{"event", string(e.Type), "stream", e.Stream}
	for k, v := range e.Data {
		attrs = append(attrs, k, v)
	}
	b.log.Info("event", attrs...)

	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.ch <- e:
		default:
			b.dropped.Add(1)
		}
	}
}

// Subscribe returns a channel that receives every event published from now on,
// buffered to depth, and a function that ends the subscription. Events that do
// not fit in the buffer are dropped and counted in Dropped.
func (b *Bus) Subscribe(depth int) (<-chan Event, func()) {
	if depth < 1 {
		depth = 1
	}
	s := &subscriber{ch: make(chan Event, depth)}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
		})
	}
}

// Dropped reports how many events subscribers have lost by falling behind.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }
