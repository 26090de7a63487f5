package stream

import (
	"sync"
	"time"
)

// GOPLimits bound what a video track remembers of its current group of
// pictures. The zero value remembers nothing.
type GOPLimits struct {
	// MaxBytes caps the payload bytes held.
	MaxBytes int
	// MaxDuration caps the time from the keyframe to the newest packet.
	MaxDuration time.Duration
}

// GOP is a snapshot of a track's group of pictures: the packets from its
// latest keyframe up to now, in the order written. The packets are the
// shared immutable ones.
type GOP struct {
	Packets []*Packet
	// Bytes is the payload bytes of Packets.
	Bytes int
}

// Age is how long ago the GOP's keyframe arrived, at now; zero for an
// empty GOP.
func (g GOP) Age(now time.Time) time.Duration {
	if len(g.Packets) == 0 {
		return 0
	}
	return now.Sub(g.Packets[0].Arrival)
}

// Holds reports whether p is one of the GOP's packets or came before its
// last one (the same SSRC, a sequence number not newer): a subscriber that
// subscribed before it took the GOP and sent the GOP first skips such
// packets of its queue.
func (g GOP) Holds(p *Packet) bool {
	if len(g.Packets) == 0 {
		return false
	}
	last := g.Packets[len(g.Packets)-1]
	d := p.SequenceNumber - last.SequenceNumber
	return p.SSRC == last.SSRC && (d == 0 || d >= 1<<15)
}

// Frames counts the pictures (distinct timestamps) in the GOP.
func (g GOP) Frames() int {
	n := 0
	for i, p := range g.Packets {
		if i == 0 || p.Timestamp != g.Packets[i-1].Timestamp {
			n++
		}
	}
	return n
}

// gopMemory keeps a video track's packets since its latest keyframe as
// references, within its limits. A GOP that outgrows them is dropped and
// nothing is kept until the next keyframe. Its own mutex keeps it apart from
// the subscriber list; the source's goroutine and a joining viewer are the
// only ones to take it.
type gopMemory struct {
	mu       sync.Mutex
	limits   GOPLimits
	pkts     []*Packet
	bytes    int
	overflow bool // the current GOP outgrew the limits
}

// add files p, written by the track's source.
func (g *gopMemory) add(p *Packet) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.limits.MaxBytes <= 0 {
		return
	}
	if p.Keyframe && (len(g.pkts) == 0 || p.Timestamp != g.pkts[0].Timestamp) {
		g.reset()
	} else if len(g.pkts) == 0 {
		return // no keyframe yet, or an overflowed GOP
	}
	if g.bytes+len(p.Payload) > g.limits.MaxBytes ||
		(g.limits.MaxDuration > 0 && len(g.pkts) > 0 && p.Arrival.Sub(g.pkts[0].Arrival) > g.limits.MaxDuration) {
		g.reset()
		g.overflow = true
		return
	}
	g.pkts = append(g.pkts, p)
	g.bytes += len(p.Payload)
}

// reset forgets the held packets, letting go of their references.
func (g *gopMemory) reset() {
	clear(g.pkts)
	g.pkts, g.bytes, g.overflow = g.pkts[:0], 0, false
}

// snapshot returns a copy of the held GOP.
func (g *gopMemory) snapshot() GOP {
	g.mu.Lock()
	defer g.mu.Unlock()
	return GOP{Packets: append([]*Packet(nil), g.pkts...), Bytes: g.bytes}
}

// usage returns the packets and bytes held.
func (g *gopMemory) usage() (packets, bytes int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pkts), g.bytes
}

// setLimits changes the bounds; the held GOP is dropped when it no longer
// fits.
func (g *gopMemory) setLimits(l GOPLimits) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.limits = l
	if l.MaxBytes <= 0 || g.bytes > l.MaxBytes {
		g.reset()
	}
}
