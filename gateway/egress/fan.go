package egress

import (
	"cmp"
	"sync"
	"sync/atomic"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/udpbatch"
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
	hold *time.Timer // gather's, made by its first wait
}

// fanBurst is how many packets one pass takes at most: the packets of a
// frame arrive together, and each viewer's run of them goes out as one UDP
// GSO send. A pass of a video track over fanGatherFrom viewers or more
// waits up to fanHold, after the first packet it took, for the rest of
// that packet's frame (the packet with the marker bit): an encoder sends a
// frame's packets within a fraction of a millisecond, and a frame split
// over passes has its later packets wait for the earlier pass to reach
// every viewer, which takes longer than the frame's spread from a few
// dozen viewers on (a pass over 32 costs about 60 µs here). A smaller fan
// sends each packet as it comes. A camera that paces a frame's packets
// over the frame interval has them go out fanHold late at most.
const (
	fanBurst      = 16
	fanHold       = time.Millisecond
	fanGatherFrom = 32
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
			burst = fn.collect(append(burst[:0], p), len(legs))
			fn.b.pass(legs, burst, time.Now())
			clear(burst)
			if d := fn.sub.Dropped(); d > dropped && len(legs) > 0 {
				legs[0].v.metrics.queueDropped.Add(float64((d - dropped) * uint64(len(legs))))
				dropped = d
			}
		}
	}
}

// collect completes a pass's burst, which holds its first packet, for a
// fan of legs viewers: the packets already queued, and in a video fan of
// fanGatherFrom viewers or more the rest of the frame.
func (fn *fan) collect(burst []*stream.Packet, legs int) []*stream.Packet {
	burst = fn.take(burst)
	if fn.src.Kind == stream.Video && legs >= fanGatherFrom {
		burst = fn.gather(burst)
	}
	return burst
}

// take adds the packets already queued to burst, up to fanBurst.
func (fn *fan) take(burst []*stream.Packet) []*stream.Packet {
	for len(burst) < fanBurst {
		select {
		case p := <-fn.sub.Packets():
			burst = append(burst, p)
		default:
			return burst
		}
	}
	return burst
}

// gather waits up to fanHold for the rest of the frame the burst's last
// packet belongs to: until a packet with the marker bit, fanBurst packets,
// or the hold's end.
func (fn *fan) gather(burst []*stream.Packet) []*stream.Packet {
	complete := func() bool { return burst[len(burst)-1].Marker || len(burst) == fanBurst }
	if complete() {
		return burst
	}
	if fn.hold == nil {
		fn.hold = time.NewTimer(fanHold)
	} else {
		fn.hold.Reset(fanHold)
	}
	defer fn.hold.Stop()
	for !complete() {
		select {
		case p := <-fn.sub.Packets():
			burst = append(burst, p)
		case <-fn.hold.C:
			return burst
		case <-fn.stop:
			return burst
		}
	}
	return burst
}

// batch collects one pass's protected packets in one arena and queues
// them on a udpbatch.Writer per socket, which sends them with sendmmsg: a
// viewer's consecutive packets of one size (the last may be shorter) go as
// one UDP GSO message, which the kernel sends as that many datagrams for
// the cost of about one. The arena and writers are reused from pass to
// pass: a pass allocates nothing once the batch has grown to the fan's
// size.
type batch struct {
	arena  []byte
	off    int // the arena's used bytes
	queued int // datagrams queued since the last flush
	out    []socketWriter
	failed int   // datagrams the kernel refused this pass
	err    error // the first refusal
}

// socketWriter is the writer of one ICE socket.
type socketWriter struct {
	sock *fastSocket
	w    *udpbatch.Writer
}

// maxPacket is room for any packet egress sends: an MTU-sized RTP packet
// and the SRTP tag.
const maxPacket = 1500 + srtpOverhead

// fanFlush is the datagrams after which a pass sends what it has queued,
// at the end of a viewer's packets: the first viewers of a large fan need
// not wait for every other viewer's packets to be sealed, and the arena
// stays at about this many packets whatever the fan's size. One sendmmsg
// takes at most writerBatch.
const (
	fanFlush    = 64
	writerBatch = fanFlush + fanBurst
)

// pass hands burst to each leg, which seals its packets into the batch, and
// sends them: every fanFlush datagrams, at the end of a leg's packets, and
// at the end.
func (b *batch) pass(legs []*forwarder, burst []*stream.Packet, now time.Time) {
	for _, f := range legs {
		f.fanOut(burst, b, now)
		if b.queued >= fanFlush {
			b.flush(legs)
		}
	}
	b.flush(legs)
}

// slot returns room for the next packet: an empty slice of the arena.
func (b *batch) slot() []byte {
	if len(b.arena)-b.off < maxPacket {
		// The packets queued so far keep the old arena alive until sent.
		b.arena = make([]byte, max(2*len(b.arena), 64*maxPacket))
		b.off = 0
	}
	return b.arena[b.off:b.off:len(b.arena)]
}

// add queues pkt for d: protected into the slot returned last, or into a
// buffer of its own when it did not fit one (a datagram larger than an MTU).
func (b *batch) add(d *fastDest, pkt []byte) {
	if len(pkt) > 0 && b.off < len(b.arena) && &pkt[0] == &b.arena[b.off] {
		b.off += len(pkt)
	}
	b.queued++
	sw := b.writer(d.sock)
	if sw.w.Add(pkt, d.ap) {
		b.send(sw)
	}
}

// writer returns sock's writer, made at its first packet.
func (b *batch) writer(sock *fastSocket) *socketWriter {
	for i := range b.out {
		if b.out[i].sock == sock {
			return &b.out[i]
		}
	}
	b.out = append(b.out, socketWriter{sock: sock, w: udpbatch.NewWriter(writerBatch)})
	return &b.out[len(b.out)-1]
}

// send flushes one writer, noting what the kernel refused.
func (b *batch) send(sw *socketWriter) {
	res := sw.w.Flush(sw.sock.sock)
	if res.Failed > 0 {
		b.failed += res.Failed
		b.err = cmp.Or(b.err, res.Err)
	}
}

// flush sends what the pass queued and counts a refusal on the legs'
// write errors.
func (b *batch) flush(legs []*forwarder) {
	for i := range b.out {
		b.send(&b.out[i])
	}
	if b.failed > 0 && len(legs) > 0 {
		legs[0].v.metrics.writeErrors.Add(float64(b.failed))
		legs[0].v.errs.Warn("sendmmsg", "err", b.err)
	}
	b.off, b.queued, b.failed, b.err = 0, 0, 0, nil
}
