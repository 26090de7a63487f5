package ingest

import (
	"net/netip"
	"strconv"
	"sync"
	"time"

	"mediagate.dev/mediagate/gateway/event"
)

// rejectRepeat is how often source.rejected may repeat for one sender and
// reason: a misconfigured sender that keeps sending (every packet, or a
// Sender Report every few seconds) costs webhook receivers one event a
// minute, not one a second.
const rejectRepeat = time.Minute

// maxRejectSenders bounds the senders rejectLog remembers; the least
// recently rejected is forgotten first.
const maxRejectSenders = 16

// rejectReasons are the "reason" values of source.rejected events.
var rejectReasons = map[dropReason]string{
	dropNotAllowed: "not allowed",
	dropNotLatched: "not latched",
	dropSRTPAuth:   "srtp authentication failed",
}

// rejectKey is one sender refused for one reason.
type rejectKey struct {
	from   netip.AddrPort
	reason dropReason
}

// rejectEntry is what rejectLog remembers of a rejectKey: when it last
// published an event for it and how many datagrams it refused since.
type rejectEntry struct {
	published bool
	lastEvent time.Duration // since the source's epoch
	lastSeen  time.Duration
	count     int64
}

// rejectLog decides which rejections become source.rejected events: the
// first of each sender and reason, then at most one per rejectRepeat while
// it goes on, each carrying the number refused since the last. Its own
// mutex keeps it off Source.mu, which some callers hold and others do not.
type rejectLog struct {
	mu      sync.Mutex
	senders map[rejectKey]*rejectEntry
}

// note counts a rejection of k at elapsed and reports whether an event is
// due for it: the first, or rejectRepeat after the last. streamGate, the
// stream-wide limit, is consulted only then; the count is taken (and
// reset) only when both agree.
func (l *rejectLog) note(k rejectKey, elapsed time.Duration, streamGate func() bool) (count int64, publish bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.senders[k]
	if e == nil {
		e = l.add(k)
	}
	e.count++
	e.lastSeen = elapsed
	if e.published && elapsed-e.lastEvent < rejectRepeat {
		return 0, false
	}
	if !streamGate() {
		return 0, false
	}
	count, e.count = e.count, 0
	e.published, e.lastEvent = true, elapsed
	return count, true
}

// add remembers k, forgetting the least recently rejected sender when
// maxRejectSenders are remembered already.
func (l *rejectLog) add(k rejectKey) *rejectEntry {
	if l.senders == nil {
		l.senders = make(map[rejectKey]*rejectEntry, maxRejectSenders)
	}
	if len(l.senders) >= maxRejectSenders {
		var oldest rejectKey
		var at time.Duration = -1
		for key, e := range l.senders {
			if at < 0 || e.lastSeen < at {
				oldest, at = key, e.lastSeen
			}
		}
		delete(l.senders, oldest)
	}
	e := &rejectEntry{}
	l.senders[k] = e
	return e
}

// reject drops a datagram from a sender the source will not take and
// publishes source.rejected: for the first such datagram of a sender and
// reason, then at most once per rejectRepeat while that goes on, and at
// most once per second for the whole stream. The event's "count" is the
// number of datagrams refused for that sender and reason since its last
// event.
func (s *Source) reject(r dropReason, from netip.AddrPort, now time.Time) {
	s.drop(r, from, now)
	elapsed := now.Sub(s.epoch)
	count, ok := s.rejects.note(rejectKey{from, r}, elapsed, func() bool {
		return s.rejectGate.allow(elapsed, logEvery)
	})
	if !ok {
		return
	}
	s.st.Publish(event.Event{Type: event.SourceRejected, Data: map[string]string{
		"remote": from.String(), "reason": rejectReasons[r], "count": strconv.FormatInt(count, 10),
	}})
}
