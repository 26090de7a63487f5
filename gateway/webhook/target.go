package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxResponseBody is how much of an answer's body is read (and dropped)
// so that the connection can be reused.
const maxResponseBody = 4 << 10

// maxRetryAfter bounds the Retry-After seconds read, before MaxBackoff
// caps the wait, so that no value overflows a Duration.
const maxRetryAfter = 24 * 3600

// target is one receiver with its bounded queue and its worker goroutine,
// which sends the queued events in order.
type target struct {
	d     *Deliverer
	r     Receiver
	id    string // r.identity()
	label string
	queue chan job

	ctx    context.Context // ends when the target closes
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex // guards closed against enqueue
	closed bool

	logFailures rate.Sometimes
}

// start makes and starts the target of r, which has its defaults.
func (d *Deliverer) start(r Receiver) *target {
	t := &target{d: d, r: r, id: r.identity(), label: r.label(), queue: make(chan job, r.QueueSize),
		done: make(chan struct{}), logFailures: rate.Sometimes{Interval: time.Second}}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	go t.run()
	return t
}

// enqueue adds j without blocking; a full queue drops it.
func (t *target) enqueue(j job) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		t.d.Metrics.event(t.label, resultDiscarded)
		return
	}
	select {
	case t.queue <- j:
		t.d.Metrics.queueLength(t.label, len(t.queue))
	default:
		t.d.Metrics.event(t.label, resultDropped)
		t.logFailures.Do(func() {
			t.d.Log.Warn("webhook queue full; event dropped", "receiver", t.label, "event", j.typ)
		})
	}
}

// close stops the worker, waits for it and discards what is queued.
func (t *target) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.cancel()
	<-t.done
	for range len(t.queue) {
		<-t.queue
		t.d.Metrics.event(t.label, resultDiscarded)
	}
	t.d.Metrics.queueLength(t.label, 0)
}

func (t *target) run() {
	defer close(t.done)
	for {
		select {
		case <-t.ctx.Done():
			return
		case j := <-t.queue:
			t.d.Metrics.queueLength(t.label, len(t.queue))
			t.deliver(j)
		}
	}
}

// deliver sends j until it is accepted, fails for good or runs out of
// attempts, waiting with exponential backoff between attempts.
func (t *target) deliver(j job) {
	wait := t.d.Backoff
	for attempt := 1; ; attempt++ {
		retry, after, err := t.attempt(j)
		switch {
		case err == nil:
			t.d.Metrics.event(t.label, resultDelivered)
			return
		case t.ctx.Err() != nil:
			t.d.Metrics.event(t.label, resultDiscarded)
			return
		case !retry || attempt >= t.r.MaxAttempts:
			t.d.Metrics.event(t.label, resultFailed)
			t.logFailures.Do(func() {
				t.d.Log.Warn("webhook delivery failed; event dropped", "receiver", t.label, "event", j.typ,
					"delivery", j.id, "attempts", attempt, "error", err)
			})
			return
		}
		if !t.sleep(max(wait, min(after, t.d.MaxBackoff))) {
			t.d.Metrics.event(t.label, resultDiscarded)
			return
		}
		wait = min(2*wait, t.d.MaxBackoff)
	}
}

// sleep waits d, or less when the target closes; it reports whether the
// full wait passed.
func (t *target) sleep(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-t.ctx.Done():
		return false
	}
}

// attempt POSTs j once. It returns nil on a 2xx answer; otherwise whether
// to retry, and how long the receiver asked to wait (Retry-After, RFC 9110
// §10.2.3, in seconds).
func (t *target) attempt(j job) (retry bool, after time.Duration, err error) {
	ctx, cancel := context.WithTimeout(t.ctx, t.r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.r.URL, bytes.NewReader(j.body))
	if err != nil {
		return false, 0, err
	}
	now := time.Now().Unix()
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "mediagate-webhook")
	h.Set(TimestampHeader, strconv.FormatInt(now, 10))
	h.Set(SignatureHeader, Sign(t.r.Secret, now, j.body))
	h.Set(DeliveryHeader, j.id)
	h.Set(EventHeader, j.typ)
	resp, err := t.d.Client.Do(req)
	if err != nil {
		t.d.Metrics.request(t.label, "error")
		return true, 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
	_ = resp.Body.Close()
	t.d.Metrics.request(t.label, fmt.Sprintf("%dxx", resp.StatusCode/100))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, 0, nil
	}
	err = fmt.Errorf("%w %s", errStatus, resp.Status)
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode >= 500:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return true, time.Duration(min(max(secs, 0), maxRetryAfter)) * time.Second, err
	}
	return false, 0, err
}
