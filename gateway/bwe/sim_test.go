package bwe

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"
)

// simLink is a bottleneck with a FIFO queue: a packet leaves at
// max(send, previous departure) + size/capacity and arrives after a fixed
// propagation delay plus a little jitter that does not queue.
type simLink struct {
	capacity func(at time.Duration) float64 // bits/s when a packet starts leaving
	depart   time.Duration
	delay    time.Duration
	jitter   time.Duration
	loss     float64
	rng      *rand.Rand
}

// arrival returns when a packet of size bytes sent at offset send arrives,
// and false when the link drops it.
func (l *simLink) arrival(send time.Duration, size int) (time.Duration, bool) {
	if l.loss > 0 && l.rng.Float64() < l.loss {
		return 0, false
	}
	start := max(send, l.depart)
	l.depart = start + time.Duration(float64(size*8)/l.capacity(start)*float64(time.Second))
	var j time.Duration
	if l.jitter > 0 {
		j = time.Duration(l.rng.Int64N(int64(l.jitter)))
	}
	return l.depart + l.delay + j, true
}

// simSample is one point of a trace's time series.
type simSample struct {
	at       time.Duration
	estimate int
	incoming int
	capacity float64
}

// simSender sends 30 frames per second, each a burst of 1200-byte packets
// sharing one send time; every 100 ms it adopts rate(estimate) as its rate.
type simSender struct {
	rate    func(estimate int) float64
	fps     int
	seq     uint16
	bitrate float64
}

// simPacket is a packet on its way through the link.
type simPacket struct {
	arrival, send time.Duration
	size          int
	seq           uint16
}

// simClock is the synthetic trace's view of the synctest bubble's fake
// clock: offsets count from the moment the simulation started, and sleeping
// until an offset lets the bubble advance time to it at once.
type simClock struct{ start time.Time }

// now returns the bubble's current time as an offset.
func (c simClock) now() time.Duration { return time.Since(c.start) }

// sleepUntil blocks until the bubble's clock reaches offset at.
func (c simClock) sleepUntil(at time.Duration) {
	if d := at - c.now(); d > 0 {
		time.Sleep(d)
	}
}

// simulate runs sender over link into e for dur and returns the estimate
// sampled every 100 ms. It must run inside a synctest bubble: every packet
// reaches e at its arrival time on the bubble's clock (time.Now), in arrival
// order, and each sample sees only the packets that have arrived by then.
func simulate(e *Estimator, s *simSender, l *simLink, dur time.Duration) []simSample {
	const packet = 1200
	clock := simClock{start: time.Now()}
	frame := time.Second / time.Duration(s.fps)
	var samples []simSample
	var pending []simPacket
	deliver := func(until time.Duration) {
		slices.SortStableFunc(pending, func(a, b simPacket) int { return cmp.Compare(a.arrival, b.arrival) })
		i := 0
		for ; i < len(pending) && pending[i].arrival <= until; i++ {
			p := pending[i]
			clock.sleepUntil(p.arrival)
			e.OnPacket(time.Now(), p.send+time.Hour, p.size, p.seq)
		}
		pending = pending[i:]
	}
	nextSample := time.Duration(0)
	for send := time.Duration(0); send < dur; send += frame {
		deliver(send)
		clock.sleepUntil(send)
		if send >= nextSample {
			now := time.Now()
			est := e.Estimate(now)
			s.bitrate = s.rate(est)
			samples = append(samples, simSample{clock.now(), est, e.IncomingRate(now), l.capacity(send)})
			nextSample += 100 * time.Millisecond
		}
		bytes := int(s.bitrate / 8 / float64(s.fps))
		for bytes > 0 {
			size := min(bytes, packet)
			bytes -= size
			s.seq++
			if at, ok := l.arrival(send, size); ok {
				pending = append(pending, simPacket{at, send, size, s.seq})
			}
		}
	}
	return samples
}
