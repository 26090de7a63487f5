package outbound

import "mediagate.dev/mediagate/gateway/stream"

// Feed is the subscription that feeds a Track, with the packets its full
// queue dropped counted once each. The zero value feeds nothing; the
// goroutine that drains it owns it.
type Feed struct {
	sub     *stream.Subscription
	counted uint64 // drops already returned by Drops
}

// Subscribe makes src feed the Feed through a queue of depth packets. It
// closes the previous subscription first and returns its drops not yet
// returned by Drops.
func (f *Feed) Subscribe(src *stream.Track, depth int) (drops uint64) {
	drops = f.Close()
	f.sub = src.Subscribe(depth)
	return drops
}

// Use makes sub, a subscription made elsewhere, feed the Feed, which owns
// it from now on. It closes the previous subscription first and returns
// its drops not yet returned by Drops.
func (f *Feed) Use(sub *stream.Subscription) (drops uint64) {
	drops = f.Close()
	f.sub = sub
	return drops
}

// Packets returns the queue to read, or nil (never ready) when nothing
// feeds the Feed.
func (f *Feed) Packets() <-chan *stream.Packet {
	if f.sub == nil {
		return nil
	}
	return f.sub.Packets()
}

// Drops returns how many packets the queue dropped since the last call.
func (f *Feed) Drops() uint64 {
	if f.sub == nil {
		return 0
	}
	d := f.sub.Dropped()
	if d <= f.counted {
		return 0
	}
	n := d - f.counted
	f.counted = d
	return n
}

// Close ends the subscription, if any, and returns its drops not yet
// returned by Drops.
func (f *Feed) Close() uint64 {
	if f.sub == nil {
		return 0
	}
	n := f.Drops()
	f.sub.Close()
	f.sub, f.counted = nil, 0
	return n
}
