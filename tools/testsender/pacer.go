package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Pacing, after libwebrtc's pacer: a frame's packets leave spread over a
// few milliseconds at pacingFactor times the target rate instead of in one
// burst, so a delay-based estimator at the receiver (draft-ietf-rmcat-gcc
// §5) measures the link's queue, not the sender's bursts.
const (
	// pacingFactor is libwebrtc's kDefaultPaceMultiplier.
	pacingFactor = 2.5
	// maxQueueDelay bounds the time a packet waits: when more is queued
	// than the paced rate sends before the oldest packet has waited this
	// long (a key frame at a low target), the rate rises to drain the
	// queue by then, as libwebrtc's queue-time limit does.
	maxQueueDelay = 250 * time.Millisecond
	// burstSlack is how far ahead of its slot a packet may leave rather
	// than sleeping: shorter sleeps cost more in wake-ups than they buy
	// in smoothness.
	burstSlack = 500 * time.Microsecond
	// maxLag is how far the send clock may fall behind now and still be
	// caught up: a pacer woken late (a busy machine) sends what it owes
	// at once, up to this much, as libwebrtc's budget carries up to
	// 30 ms; beyond it the debt is forgiven, so an idle pacer never
	// saves up a burst.
	maxLag = 20 * time.Millisecond
)

// pacer queues packets and sends them, in order, at the paced rate.
// enqueue and setTarget are called from other goroutines than run.
type pacer struct {
	send   func(*packet) // called on run's goroutine
	target atomic.Int64  // bit/s

	mu     sync.Mutex
	queue  []queued
	head   int
	queued int // bytes in queue[head:]
	wake   chan struct{}
}

// queued is a packet and the time it was queued.
type queued struct {
	packet
	at time.Time
}

func newPacer(target int, send func(*packet)) *pacer {
	p := &pacer{send: send, wake: make(chan struct{}, 1)}
	p.target.Store(int64(target))
	return p
}

// setTarget sets the encoder's target rate, which the pacing rate follows.
func (p *pacer) setTarget(bps int) { p.target.Store(int64(bps)) }

// enqueue adds a frame's packets to the queue.
func (p *pacer) enqueue(pkts []packet) {
	if len(pkts) == 0 {
		return
	}
	now := time.Now()
	p.mu.Lock()
	if p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
	}
	for i := range pkts {
		p.queue = append(p.queue, queued{packet: pkts[i], at: now})
		p.queued += pkts[i].size()
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// pop takes the first packet and returns it with the rate to pace it at:
// pacingFactor × the target, or what drains the queue before its oldest
// packet has waited maxQueueDelay, whichever is higher.
func (p *pacer) pop(now time.Time) (packet, float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.head == len(p.queue) {
		return packet{}, 0, false
	}
	q := p.queue[p.head]
	left := max(maxQueueDelay-now.Sub(q.at), time.Millisecond)
	rate := max(pacingFactor*float64(p.target.Load()), float64(p.queued*8)/left.Seconds())
	p.queue[p.head] = queued{}
	p.head++
	p.queued -= q.size()
	return q.packet, rate, true
}

// run sends queued packets until ctx ends. Each packet takes its size at
// the paced rate from a virtual send clock, and waits while the clock is
// ahead of now. A pacer woken late catches up at most maxLag; an idle one
// restarts its clock at now.
func (p *pacer) run(ctx context.Context) {
	next := time.Now()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := time.Now()
		pkt, rate, ok := p.pop(now)
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-p.wake:
				// Idle time earns no credit: a new frame starts paced.
				next = later(next, time.Now())
				continue
			}
		}
		next = later(next, now.Add(-maxLag))
		if wait := next.Sub(now); wait > burstSlack {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		p.send(&pkt)
		next = next.Add(time.Duration(float64(pkt.size()*8) / rate * float64(time.Second)))
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
