package egress

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"

	"mediagate.dev/mediagate/gateway/stream"
)

// fan sends one source track to every fast-path viewer of it in one pass
// per packet: one goroutine (not one per viewer) drains one subscription,
// hands each packet to each viewer's forwarder, which rewrites the header
// and protects it with that viewer's SRTP context into a buffer of the
// batch, and sends the batch with one sendmmsg. A slow viewer cannot delay
// the others: UDP sends do not wait for a receiver, and each forwarder's
// lock is held for one packet. The forwarders keep their own goroutines
// for what is not per packet: the start, the bridge, NACKs and reports.
type fan struct {
	m    *Manager
	src  *stream.Track
	sub  *stream.Subscription
	refs int // guarded by m.fanMu

	mu   sync.Mutex                   // serializes add and remove
	legs atomic.Pointer[[]*forwarder] // copy on write
	stop chan struct{}
	done chan struct{}
	b    batch
}

// fanBurst is how many queued packets one pass takes before it flushes
// its batch: the packets of a frame arrive together, and one sendmmsg for
// several of them costs less than one each.
const fanBurst = 16

// acquireFan returns the fan of src, starting it (subscribed at once) if
// none runs; releaseFan gives it back.
func (m *Manager) acquireFan(src *stream.Track) *fan {
	m.fanMu.Lock()
	defer m.fanMu.Unlock()
	fn := m.fans[src]
	if fn == nil {
		fn = &fan{m: m, src: src, sub: src.Subscribe(m.cfg.QueueDepth),
			stop: make(chan struct{}), done: make(chan struct{})}
		fn.legs.Store(&[]*forwarder{})
		m.fans[src] = fn
		go fn.run()
		m.cfg.Metrics.fans().Inc()
	}
	fn.refs++
	return fn
}

// releaseFan gives back one reference to fn; the last stops it.
func (m *Manager) releaseFan(fn *fan) {
	m.fanMu.Lock()
	fn.refs--
	last := fn.refs == 0
	if last {
		delete(m.fans, fn.src)
	}
	m.fanMu.Unlock()
	if last {
		close(fn.stop)
		<-fn.done
		m.cfg.Metrics.fans().Dec()
	}
}

// add makes f a leg of the fan.
func (fn *fan) add(f *forwarder) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	old := *fn.legs.Load()
	next := append(make([]*forwarder, 0, len(old)+1), old...)
	next = append(next, f)
	fn.legs.Store(&next)
}

// remove takes f off the fan.
func (fn *fan) remove(f *forwarder) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	old := *fn.legs.Load()
	next := make([]*forwarder, 0, len(old))
	for _, o := range old {
		if o != f {
			next = append(next, o)
		}
	}
	fn.legs.Store(&next)
}

// run is the fan's goroutine.
func (fn *fan) run() {
	defer close(fn.done)
	defer fn.sub.Close()
	var dropped uint64
	for {
		select {
		case <-fn.stop:
			return
		case p := <-fn.sub.Packets():
			legs := *fn.legs.Load()
			now := time.Now()
			fn.send(legs, p, now)
			for range fanBurst - 1 {
				select {
				case p = <-fn.sub.Packets():
					fn.send(legs, p, now)
					continue
				default:
				}
				break
			}
			fn.b.flush(legs)
			if d := fn.sub.Dropped(); d > dropped && len(legs) > 0 {
				legs[0].v.metrics.queueDropped.Add(float64((d - dropped) * uint64(len(legs))))
				dropped = d
			}
		}
	}
}

// send hands one packet to every leg.
func (fn *fan) send(legs []*forwarder, p *stream.Packet, now time.Time) {
	for _, f := range legs {
		f.fanOut(p, &fn.b, now)
	}
}

// batch collects one pass's protected packets for sendmmsg. Its buffers
// and messages are reused from pass to pass: a pass allocates nothing once
// the batch has grown to the fan's size.
type batch struct {
	msgs  []ipv4.Message
	bufs  [][]byte
	socks []*fastSocket
	n     int
}

// slot returns the next packet buffer, empty with room for one packet.
func (b *batch) slot() []byte {
	if b.n == len(b.bufs) {
		b.bufs = append(b.bufs, make([]byte, 0, maxPacket))
		b.msgs = append(b.msgs, ipv4.Message{Buffers: make([][]byte, 1)})
		b.socks = append(b.socks, nil)
	}
	return b.bufs[b.n][:0]
}

// maxPacket is room for any packet egress sends: an MTU-sized RTP packet
// and the SRTP tag.
const maxPacket = 1500 + srtpOverhead

// add queues pkt, protected in the buffer slot returned, for d.
func (b *batch) add(d *fastDest, pkt []byte) {
	b.bufs[b.n] = pkt[:0]
	b.msgs[b.n].Buffers[0] = pkt
	b.msgs[b.n].Addr = d.ua
	b.socks[b.n] = d.sock
	b.n++
}

// flush sends what the batch holds, one sendmmsg per run of packets on the
// same socket, and counts a failed send on the legs' write errors.
func (b *batch) flush(legs []*forwarder) {
	for i := 0; i < b.n; {
		j := i + 1
		for j < b.n && b.socks[j] == b.socks[i] {
			j++
		}
		for i < j {
			n, err := b.socks[i].batch.WriteBatch(b.msgs[i:j], 0)
			if err != nil {
				if len(legs) > 0 {
					legs[0].v.metrics.writeErrors.Inc()
					legs[0].v.errs.Warn("sendmmsg", "err", err)
				}
				n = max(n, 1) // skip the packet the kernel refused
			}
			i += n
		}
	}
	for i := range b.n {
		b.msgs[i].Addr = nil
	}
	b.n = 0
}
