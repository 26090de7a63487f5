package ingest

import (
	"cmp"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// rembRecorder stands in for the source's socket in REMB tests: it keeps
// each REMB with the bubble time it was sent at, and fails on a compound
// that does not start with a receiver report (RFC 3550 §6.1).
type rembRecorder struct {
	mu    sync.Mutex
	rembs []sentREMB
	bad   int
}

// sentREMB is one REMB as the sender saw it.
type sentREMB struct {
	at   time.Time
	pkt  *rtcp.ReceiverEstimatedMaximumBitrate
	with int // packets in its compound
}

func (r *rembRecorder) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) {
	pkts, err := rtcp.Unmarshal(b)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil || len(pkts) == 0 || !isRR(pkts[0]) {
		r.bad++
		return len(b), nil
	}
	for _, p := range pkts {
		if remb, ok := p.(*rtcp.ReceiverEstimatedMaximumBitrate); ok {
			r.rembs = append(r.rembs, sentREMB{time.Now(), remb, len(pkts)})
		}
	}
	return len(b), nil
}

// all returns the REMBs sent so far.
func (r *rembRecorder) all() []sentREMB {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.rembs)
}

// last returns the bitrate of the latest REMB, 0 before the first.
func (r *rembRecorder) last() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.rembs) == 0 {
		return 0
	}
	return int(r.rembs[len(r.rembs)-1].pkt.Bitrate)
}

// linkSim drives a socketless source inside a synctest bubble: a sender of
// 30 frames per second, each a burst of 1200-byte packets, behind a FIFO
// bottleneck of capacity(t) and 10 ms of propagation delay. Each packet
// reaches the source at its arrival time on the bubble's clock.
type linkSim struct {
	src      *Source
	capacity func(at time.Duration) float64 // bit/s
	rate     func(remb int) float64         // the sender's bitrate given the last REMB
	rec      *rembRecorder
	absID    uint8 // stamp abs-send-time under this id; 0: none
	from     netip.AddrPort
	padding  bool // send every third packet as padding only

	start   time.Time
	depart  time.Duration
	seq     uint16
	pending []simArrival
}

type simArrival struct {
	at  time.Duration
	raw []byte
}

// run simulates dur more of the link.
func (l *linkSim) run(dur time.Duration) {
	if l.start.IsZero() {
		l.start = time.Now()
	}
	if !l.from.IsValid() {
		l.from = camera
	}
	const frame = time.Second / 30
	end := time.Since(l.start) + dur
	for send := time.Since(l.start); send < end; send += frame {
		l.deliver(send)
		if d := send - time.Since(l.start); d > 0 {
			time.Sleep(d)
		}
		bytes := int(l.rate(l.rec.last()) / 8 / 30)
		for ; bytes > 0; bytes -= 1200 {
			l.send(send, min(bytes, 1200))
		}
	}
	l.deliver(end)
}

// send queues one packet of size bytes sent at offset at.
func (l *linkSim) send(at time.Duration, size int) {
	l.seq++
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: videoPT, SequenceNumber: l.seq,
		Timestamp: uint32(at * 90000 / time.Second), SSRC: 0x5eed}, Payload: make([]byte, max(size-12, 1))}
	p.Payload[0] = 0x41
	if l.absID != 0 {
		v := uint32(at*(1<<18)/time.Second) & 0xffffff
		_ = p.SetExtension(l.absID, []byte{byte(v >> 16), byte(v >> 8), byte(v)})
	}
	if l.padding && l.seq%3 == 0 {
		p.Padding, p.PaddingSize, p.Payload = true, byte(len(p.Payload)), nil
	}
	raw, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	start := max(at, l.depart)
	l.depart = start + time.Duration(float64(len(raw)*8)/l.capacity(start)*float64(time.Second))
	l.pending = append(l.pending, simArrival{l.depart + 10*time.Millisecond, raw})
}

// deliver hands the source every packet that has arrived by offset until,
// each as a batch of its own (the link spaces them apart), and after each
// lets the source look for a due REMB, as its read loop does.
func (l *linkSim) deliver(until time.Duration) {
	slices.SortStableFunc(l.pending, func(a, b simArrival) int { return cmp.Compare(a.at, b.at) })
	i := 0
	for ; i < len(l.pending) && l.pending[i].at <= until; i++ {
		if d := l.pending[i].at - time.Since(l.start); d > 0 {
			time.Sleep(d)
		}
		now := time.Now()
		l.src.handle(l.pending[i].raw, l.from, false, now)
		l.src.rembAfterBatch(now)
	}
	l.pending = l.pending[i:]
}

// constant returns a capacity or a sender rate that does not change.
func constant(bps float64) func(time.Duration) float64 {
	return func(time.Duration) float64 { return bps }
}

// follow is a sender that sends what the REMB allows, start before it.
func follow(start float64) func(int) float64 {
	return func(remb int) float64 {
		if remb == 0 {
			return start
		}
		return float64(remb)
	}
}

// socketlessREMB returns a started socketless source with REMB on, whose
// RTCP goes to a rembRecorder. The caller closes it.
func socketlessREMB(t testing.TB, cfg SourceConfig) (*Source, *rembRecorder) {
	t.Helper()
	cfg.Name = testStream
	s, err := newSource(cfg, newTestStream(nil), nil, NewMetrics(nil))
	if err != nil {
		t.Fatal(err)
	}
	rec := &rembRecorder{}
	s.rtpOut, s.rtcpOut = rec, rec
	s.Start()
	return s, rec
}
