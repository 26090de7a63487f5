package main

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// Added latency, tee → viewer. The tee stamps each datagram's send time,
// per destination, keyed by a hash of its RTP payload: both servers pass the
// H.264 payload through unchanged and rewrite only the header (sequence
// number, timestamp, SSRC, extensions). Each viewer, after SRTP, hashes the
// payload it read and looks the stamp up; the difference to the packet's
// arrival at the viewer's socket (the kernel's receive timestamp, arrival.go)
// is what the server added, and goes in its server's histogram. Both ends
// are on this process's monotonic clock (the kernel's stamp is moved onto
// it). Two more figures are kept, to see where the rest of the path goes:
// to ICE's read of the socket, and to the viewer's read after SRTP, which
// also count the viewer's own receive path (ICE, pion's mux and SRTP
// session, their buffers and goroutine wake-ups, this process's scheduling).

// clockBase is the origin of monoNow.
var clockBase = time.Now()

// monoNow is the monotonic time since clockBase in nanoseconds.
func monoNow() int64 { return int64(time.Since(clockBase)) }

// payloadSeed is the seed of every payload hash in this process.
var payloadSeed = maphash.MakeSeed()

// payloadHash hashes an RTP payload.
func payloadHash(payload []byte) uint64 { return maphash.Bytes(payloadSeed, payload) }

// rtpPayload returns the payload of an RTP packet (RFC 3550 §5.1): after the
// fixed header, the CSRCs and a header extension (§5.3.1), without padding.
func rtpPayload(pkt []byte) ([]byte, bool) {
	const fixed = 12
	if len(pkt) < fixed || pkt[0]>>6 != 2 {
		return nil, false
	}
	off := fixed + 4*int(pkt[0]&0x0f)
	if pkt[0]&0x10 != 0 { // extension
		if len(pkt) < off+4 {
			return nil, false
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(pkt[off+2:]))
	}
	end := len(pkt)
	if pkt[0]&0x20 != 0 { // padding: the last byte counts it
		if end == 0 {
			return nil, false
		}
		end -= int(pkt[end-1])
	}
	if off > end {
		return nil, false
	}
	return pkt[off:end], true
}

// stampSlots is the size of a stamp table: a slot is taken by the payload's
// hash, a newer payload overwrites an older one in the same slot. At a few
// hundred packets a second and milliseconds in flight, a lookup finds its
// stamp overwritten about once in tens of thousands.
const stampSlots = 1 << 16

// stampTable maps payload hashes to the tee's send time (monoNow).
type stampTable struct {
	mu    sync.RWMutex
	slots [stampSlots]stamp
}

type stamp struct {
	hash uint64
	at   int64
}

// put records that the payload with hash h was sent at.
func (t *stampTable) put(h uint64, at int64) {
	t.mu.Lock()
	t.slots[h&(stampSlots-1)] = stamp{hash: h, at: at}
	t.mu.Unlock()
}

// lookup returns the send time of the payload with hash h.
func (t *stampTable) lookup(h uint64) (int64, bool) {
	t.mu.RLock()
	s := t.slots[h&(stampSlots-1)]
	t.mu.RUnlock()
	return s.at, s.hash == h && s.at != 0
}

// histogram counts durations in log-linear buckets: exact below 32 ns, then
// 32 buckets per power of two, so a quantile is within 1/64 (1.6 %) of the
// truth. It takes concurrent adds; memory is fixed (histBuckets counters).
type histogram struct {
	counts [histBuckets]atomic.Uint64
}

const (
	histSub     = 32 // buckets per power of two
	histShift   = 5  // log2(histSub)
	histBuckets = histSub * (64 - histShift + 1)
)

// histIndex returns the bucket of v (ns).
func histIndex(v uint64) int {
	if v < histSub {
		return int(v)
	}
	e := bits.Len64(v) - histShift - 1 // v>>e is in [histSub, 2*histSub)
	return histSub*(e+1) + int(v>>e) - histSub
}

// histMid returns the middle of bucket i.
func histMid(i int) float64 {
	if i < histSub {
		return float64(i)
	}
	e := i/histSub - 1
	lower := uint64(i%histSub+histSub) << e
	return float64(lower) + float64(uint64(1)<<e)/2
}

// add records d (negative durations, a clock quirk, count as 0).
func (h *histogram) add(d time.Duration) {
	h.counts[histIndex(uint64(max(d, 0)))].Add(1)
}

// reset empties the histogram.
func (h *histogram) reset() {
	for i := range h.counts {
		h.counts[i].Store(0)
	}
}

// total returns the number of durations recorded.
func (h *histogram) total() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// quantile returns the q-quantile (0 < q ≤ 1), 0 when empty.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.total()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		if seen += h.counts[i].Load(); seen >= rank {
			return time.Duration(histMid(i))
		}
	}
	return time.Duration(histMid(histBuckets - 1))
}

// latencyProbe is one server's latency measurement: the tee's stamps for
// that server and the histograms its viewers fill while the probe is on.
type latencyProbe struct {
	stamps  stampTable
	on      atomic.Bool
	socket  histogram // tee → the viewer's socket (kernel receive timestamp)
	iceRead histogram // tee → ICE's read of the viewer's socket
	read    histogram // tee → the viewer's read, after SRTP
	teeSend histogram // the tee's clock before its send → the kernel's stamp of it
	// missed counts packets read while on whose payload had no stamp;
	// noArrival those stamped whose arrival was not in the viewer's table.
	missed    atomic.Uint64
	noArrival atomic.Uint64
}

// teeSent records the kernel's stamp (at) of the tee's send of the payload
// with hash h, which the tee stamped before as before.
func (p *latencyProbe) teeSent(h uint64, before, at int64) {
	p.stamps.put(h, at)
	if p.on.Load() {
		p.teeSend.add(time.Duration(at - before))
	}
}

// observer returns the onPacket of a viewer whose sockets record arrivals
// in arrivals (nil: none, only the read figure is kept), or nil for a
// server without a probe (the soak's).
func (p *latencyProbe) observer(arrivals *arrivalTable) func(pkt []byte) {
	if p == nil {
		return nil
	}
	return func(pkt []byte) { p.observe(pkt, arrivals) }
}

// observe records the latency of one packet a viewer read (after SRTP).
// The clock is read first, so hashing is not counted.
func (p *latencyProbe) observe(pkt []byte, arrivals *arrivalTable) {
	if !p.on.Load() {
		return
	}
	now := monoNow()
	payload, ok := rtpPayload(pkt)
	if !ok {
		p.missed.Add(1)
		return
	}
	sent, ok := p.stamps.lookup(payloadHash(payload))
	if !ok {
		p.missed.Add(1)
		return
	}
	p.read.add(time.Duration(now - sent))
	a, ok := arrivals.of(pkt)
	if !ok {
		p.noArrival.Add(1)
		return
	}
	p.socket.add(time.Duration(a.at - sent))
	p.iceRead.add(time.Duration(a.read - sent))
}

// start empties the histograms and starts recording.
func (p *latencyProbe) start() {
	p.socket.reset()
	p.iceRead.reset()
	p.read.reset()
	p.teeSend.reset()
	p.missed.Store(0)
	p.noArrival.Store(0)
	p.on.Store(true)
}

// quantiles are the median and the 99th percentile of one figure.
type quantiles struct {
	p50, p99 time.Duration
}

// quantilesOf returns h's median and 99th percentile.
func quantilesOf(h *histogram) quantiles {
	return quantiles{p50: h.quantile(0.50), p99: h.quantile(0.99)}
}

// latencyStats is what a probe measured over one window.
type latencyStats struct {
	socket, iceRead, read quantiles
	teeSend               quantiles // the tee's own delay, not counted
	samples               uint64    // packets measured at the viewer's read
	arrived               uint64    // of those, packets measured at the socket too
	missed                uint64    // packets without the tee's stamp
	noArrival             uint64    // stamped packets without an arrival
}

// stop stops recording and returns what was measured.
func (p *latencyProbe) stop() latencyStats {
	p.on.Store(false)
	return latencyStats{
		socket:    quantilesOf(&p.socket),
		iceRead:   quantilesOf(&p.iceRead),
		read:      quantilesOf(&p.read),
		teeSend:   quantilesOf(&p.teeSend),
		samples:   p.read.total(),
		arrived:   p.socket.total(),
		missed:    p.missed.Load(),
		noArrival: p.noArrival.Load(),
	}
}
