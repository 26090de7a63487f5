package bwe

import "time"

// Grouping constants, draft-ietf-rmcat-gcc-02 §5.2.
const (
	// burstTime is the longest send-time span of one group.
	burstTime = 5 * time.Millisecond
	// resetGap is an arrival gap after which grouping restarts: the deltas
	// across a pause of the sender say nothing about the path.
	resetGap = 3 * time.Second
)

// group is one send-time group: its first and last send times, the arrival
// of its last packet, and its size.
type group struct {
	firstSend, lastSend time.Duration
	lastArrival         time.Duration
	size                int
}

// newGroup starts a group with one packet.
func newGroup(arrival, send time.Duration, size int) group {
	return group{firstSend: send, lastSend: send, lastArrival: arrival, size: size}
}

// delta is the difference between two consecutive complete groups, §5.2.
type delta struct {
	send, arrival time.Duration
	at            time.Duration // arrival of the later group
	size          int
}

// grouper turns packets into inter-group deltas. Times are offsets from the
// estimator's origin (arrival) and the sender clock (send).
type grouper struct {
	cur, prev   group
	hasCur      bool
	hasPrev     bool
	lastArrival time.Duration
}

// add files one packet; when it opens a new group and two complete groups
// exist, it returns their delta and true.
func (g *grouper) add(arrival, send time.Duration, size int) (delta, bool) {
	if g.hasCur && arrival-g.lastArrival > resetGap {
		g.hasCur, g.hasPrev = false, false
	}
	g.lastArrival = max(g.lastArrival, arrival)
	if !g.hasCur {
		g.cur = newGroup(arrival, send, size)
		g.hasCur = true
		return delta{}, false
	}
	if send < g.cur.firstSend {
		return delta{}, false // reordered from an older group: ignored
	}
	if !g.opensGroup(send) {
		g.cur.lastSend = max(g.cur.lastSend, send)
		g.cur.lastArrival = max(g.cur.lastArrival, arrival)
		g.cur.size += size
		return delta{}, false
	}
	d, ok := g.complete()
	g.cur = newGroup(arrival, send, size)
	return d, ok
}

// opensGroup reports whether a packet starts a new group: its send time is
// more than burstTime after the group's first packet. The draft's rule that
// merges packets arriving back to back into the current group (§5.2) is
// deliberately left out: behind a standing queue every packet arrives back to
// back, and merging them hides the very growth the detector looks for.
func (g *grouper) opensGroup(send time.Duration) bool {
	return send-g.cur.firstSend > burstTime
}

// complete moves the current group to prev and returns the delta between
// the two, if there was a previous group and time ran forwards.
func (g *grouper) complete() (delta, bool) {
	prev, hadPrev := g.prev, g.hasPrev
	g.prev, g.hasPrev = g.cur, true
	if !hadPrev {
		return delta{}, false
	}
	d := delta{
		send:    g.cur.lastSend - prev.lastSend,
		arrival: g.cur.lastArrival - prev.lastArrival,
		at:      g.cur.lastArrival,
		size:    g.cur.size,
	}
	if d.send <= 0 || d.arrival < 0 {
		return delta{}, false
	}
	return d, true
}
