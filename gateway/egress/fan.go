package egress

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"

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

// fanBurst is how many queued packets one pass takes at most: the packets
// of a frame arrive together, and each viewer's run of them goes out as one
// UDP GSO send. fanArena bounds the packets of a pass across all viewers,
// and with it the batch's memory: a fan of many viewers takes fewer
// packets per pass.
const (
	fanBurst = 16
	fanArena = 1024
)

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

// run is the fan's goroutine: a pass takes the packets queued (up to a
// burst), hands them to each viewer in turn, and sends the batch.
func (fn *fan) run() {
	defer close(fn.done)
	defer fn.sub.Close()
	var dropped uint64
	burst := make([]*stream.Packet, 0, fanBurst)
	for {
		select {
		case <-fn.stop:
			return
		case p := <-fn.sub.Packets():
			legs := *fn.legs.Load()
			burst = fn.take(append(burst[:0], p), burstFor(len(legs)))
			now := time.Now()
			for _, f := range legs {
				f.fanOut(burst, &fn.b, now)
			}
			fn.b.flush(legs)
			clear(burst)
			if d := fn.sub.Dropped(); d > dropped && len(legs) > 0 {
				legs[0].v.metrics.queueDropped.Add(float64((d - dropped) * uint64(len(legs))))
				dropped = d
			}
		}
	}
}

// take adds the packets already queued to burst, up to limit.
func (fn *fan) take(burst []*stream.Packet, limit int) []*stream.Packet {
	for len(burst) < limit {
		select {
		case p := <-fn.sub.Packets():
			burst = append(burst, p)
		default:
			return burst
		}
	}
	return burst
}

// burstFor is the packets a pass over n viewers takes.
func burstFor(n int) int {
	return max(1, min(fanBurst, fanArena/max(n, 1)))
}

// batch collects one pass's protected packets, back to back in one arena,
// for sendmmsg: a viewer's consecutive packets of one size (the last may be
// shorter) make one message with a UDP_SEGMENT control message (UDP GSO),
// which the kernel sends as that many datagrams for the cost of about one.
// The arena, messages and control buffers are reused from pass to pass: a
// pass allocates nothing once the batch has grown to the fan's size.
type batch struct {
	arena []byte
	off   int // the arena's used bytes
	msgs  []ipv4.Message
	oob   [][]byte // each message's UDP_SEGMENT control message
	dests []*fastDest
	seg   []int // each message's segment size: its first packet's
	segs  []int // and its packets
	n     int
}

// maxPacket is room for any packet egress sends: an MTU-sized RTP packet
// and the SRTP tag.
const maxPacket = 1500 + srtpOverhead

// GSO bounds: the kernel's UDP_MAX_SEGMENTS and a UDP datagram's payload.
const (
	maxSegments = 64
	maxGSOBytes = 65507
)

// slot returns room for the next packet: an empty slice of the arena.
func (b *batch) slot() []byte {
	if len(b.arena)-b.off < maxPacket {
		// The messages so far keep the old arena alive until they are sent.
		b.arena = make([]byte, max(2*len(b.arena), 64*maxPacket))
		b.off = 0
	}
	return b.arena[b.off:b.off:len(b.arena)]
}

// add queues pkt, protected into the slot returned last, for d: it extends
// the previous message when that is d's run of pkt's size.
func (b *batch) add(d *fastDest, pkt []byte) {
	if len(pkt) == 0 || &pkt[0] != &b.arena[b.off] { // sealed elsewhere: copy it in
		pkt = append(b.slot(), pkt...)
	}
	b.off += len(pkt)
	if i := b.n - 1; i >= 0 && b.dests[i] == d && d.sock.gso.Load() && b.extends(i, pkt) {
		m := &b.msgs[i]
		m.Buffers[0] = m.Buffers[0][:len(m.Buffers[0])+len(pkt)]
		b.segs[i]++
		m.OOB = b.udpSegment(i)
		return
	}
	if b.n == len(b.msgs) {
		b.msgs = append(b.msgs, ipv4.Message{Buffers: make([][]byte, 1)})
		b.oob = append(b.oob, make([]byte, cmsgSpace))
		b.dests = append(b.dests, nil)
		b.seg = append(b.seg, 0)
		b.segs = append(b.segs, 0)
	}
	m := &b.msgs[b.n]
	m.Buffers[0], m.Addr, m.OOB = pkt, d.ua, nil
	b.dests[b.n], b.seg[b.n], b.segs[b.n] = d, len(pkt), 1
	b.n++
}

// extends reports whether pkt, the next packet of message i's viewer, may
// join it as a GSO segment: it directly follows it in the arena, every
// segment so far has the first one's size, pkt is not larger, and the
// kernel's bounds hold.
func (b *batch) extends(i int, pkt []byte) bool {
	buf := b.msgs[i].Buffers[0]
	return len(buf) == b.seg[i]*b.segs[i] && len(pkt) <= b.seg[i] &&
		b.segs[i] < maxSegments && len(buf)+len(pkt) <= maxGSOBytes &&
		cap(buf) > len(buf) && &buf[:len(buf)+1][len(buf)] == &pkt[0]
}

// flush sends what the batch holds, one sendmmsg per run of messages on
// the same socket, and counts a failed send on the legs' write errors. A
// socket whose kernel refuses GSO sends single datagrams from then on.
func (b *batch) flush(legs []*forwarder) {
	for i := 0; i < b.n; {
		j := i + 1
		for j < b.n && b.dests[j].sock == b.dests[i].sock {
			j++
		}
		for i < j {
			n, err := b.dests[i].sock.batch.WriteBatch(b.msgs[i:j], 0)
			if err != nil {
				b.failed(legs, i, err)
				n = max(n, 1) // skip the message the kernel refused
			}
			i += n
		}
	}
	for i := range b.n {
		b.msgs[i].Addr, b.msgs[i].Buffers[0], b.dests[i] = nil, nil, nil
	}
	b.n, b.off = 0, 0
}

// failed handles a message the kernel refused: a GSO message turns GSO off
// for its socket and goes out again as single datagrams; anything else is
// counted and dropped (the viewer NACKs it).
func (b *batch) failed(legs []*forwarder, i int, err error) {
	d := b.dests[i]
	if b.msgs[i].OOB != nil && d.sock.gso.CompareAndSwap(true, false) {
		if len(legs) > 0 {
			legs[0].v.log.Warn("UDP GSO refused: sending single datagrams", "err", err)
		}
		for buf := b.msgs[i].Buffers[0]; len(buf) > 0; {
			n := min(len(buf), b.seg[i])
			if _, err = d.sock.conn.UDPConn.WriteToUDPAddrPort(buf[:n], d.ap); err != nil {
				break
			}
			buf = buf[n:]
		}
		if err == nil {
			return
		}
	}
	if len(legs) > 0 {
		legs[0].v.metrics.writeErrors.Inc()
		legs[0].v.errs.Warn("sendmmsg", "err", err)
	}
}

// cmsgSpace is the room of one UDP_SEGMENT control message.
var cmsgSpace = unix.CmsgSpace(2)

// udpSegment writes message i's UDP_SEGMENT control message: the size of
// each datagram the kernel cuts its buffer into.
func (b *batch) udpSegment(i int) []byte {
	oob := b.oob[i][:cmsgSpace]
	h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
	h.Level, h.Type = unix.SOL_UDP, unix.UDP_SEGMENT
	h.SetLen(unix.CmsgLen(2))
	binary.NativeEndian.PutUint16(oob[unix.CmsgLen(0):], uint16(b.seg[i]))
	return oob
}
