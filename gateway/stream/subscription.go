package stream

import (
	"sync"
	"sync/atomic"
)

// Subscription is one subscriber's bounded queue on a Track. The subscriber
// drains Packets from one goroutine until Done is closed.
type Subscription struct {
	track   *Track
	queue   chan *Packet
	done    chan struct{}
	once    sync.Once
	dropped atomic.Uint64
}

// Packets is the subscriber's queue. It is never closed; select on Done too.
func (s *Subscription) Packets() <-chan *Packet { return s.queue }

// Done is closed once the subscription has been closed.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Dropped reports how many packets this subscriber lost to a full queue.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Track returns the track this subscription reads.
func (s *Subscription) Track() *Track { return s.track }

// Close detaches the subscriber. It is idempotent.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.track.unsubscribe(s)
		close(s.done)
	})
}

func (s *Subscription) offer(p *Packet) {
	select {
	case s.queue <- p:
	default:
		s.dropped.Add(1)
	}
}
