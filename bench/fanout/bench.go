package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// server is a media server under test, as the measurement drives it.
type server interface {
	// name is the column the server's numbers appear under.
	name() string
	// pid is the process whose CPU and memory are measured.
	pid() int
	// join opens one viewer; it returns once signalling is done (the viewer
	// then connects and starts receiving on its own).
	join(ctx context.Context) (*viewer, error)
	// latency is the probe the server's viewers report to.
	latency() *latencyProbe
}

// settings are the timings and sizes of one benchmark run.
type settings struct {
	counts       []int         // viewer counts measured, in order
	window       time.Duration // steady-state measurement window
	settle       time.Duration // quiet time before a memory baseline
	warm         time.Duration // time after the last join before the window
	joinParallel int           // viewers joining at once
	joinTimeout  time.Duration // one viewer's join, until its first packet
}

// result is what one server measured at one viewer count.
type result struct {
	server     string
	viewers    int
	joinCPU    time.Duration // server CPU per viewer join
	joinWall   time.Duration // wall time until every viewer received media
	cpuPerPkt  time.Duration // server CPU per packet in, per viewer
	rssPerView float64       // bytes of resident memory per viewer
	delivery   float64       // packets delivered per viewer / packets in
	minDeliver float64       // the worst viewer's delivery ratio
	// numbered is the packets each viewer received of those the server
	// numbered for it (its sequence numbers' gaps are the rest): unlike
	// delivery, packets in flight at the window's edges do not move it.
	numbered   float64
	latP50     time.Duration // added latency tee → viewer's socket, median
	latP99     time.Duration // added latency tee → viewer's socket, 99th percentile
	readP99    time.Duration // latency tee → viewer's read after SRTP, 99th percentile
	packetRate float64       // packets in per second over the window
	// skipped, when not empty, says why this count was not measured (a
	// server that could not host it); every number is then missing.
	skipped string
	// starved, when not empty, says why the CPU per packet per viewer (and
	// the capacity from it) is not reported although the viewers joined:
	// the server delivered too little of the stream for the figure to be
	// comparable (see starvedReason). The other numbers stand.
	starved string
}

// starvedReason returns why r's CPU per packet per viewer is not comparable
// at a count above strictCount, or "" when it is: below minFairDelivery of
// the stream reached the viewers on average, so the CPU covered that much
// less work, and the server (or the machine) cannot carry the count.
func starvedReason(r result, cpus int) string {
	if r.viewers <= strictCount || r.delivery >= minFairDelivery {
		return ""
	}
	cores := float64(r.cpuPerPkt) / float64(time.Second) * float64(r.viewers) * r.packetRate
	return fmt.Sprintf("delivered %.1f%% of the stream (worst viewer %.1f%%) using %.2f of %d CPUs: it cannot carry this count here",
		100*r.delivery, 100*r.minDeliver, cores, cpus)
}

// minFairDelivery is the delivery ratio below which a viewer is reported as
// starved: the server (or the machine) did not keep up, and its CPU per packet
// then covers less work than the other server's.
const minFairDelivery = 0.95

// sample is a reading of the server and the tee at one instant.
type sample struct {
	at        time.Time
	cpu       time.Duration
	packetsIn uint64
	delivered []uint64 // per viewer
	lost      []uint64 // per viewer: gaps in its sequence numbers
}

// bench runs the measurements against each server in turn.
type bench struct {
	set  settings
	proc procReader
	tee  *tee
	log  *slog.Logger
}

// idle measures srv with no viewers: its CPU per packet in, the ingest cost
// every other number includes.
func (b *bench) idle(ctx context.Context, srv server) (time.Duration, error) {
	if err := sleep(ctx, b.set.settle); err != nil {
		return 0, err
	}
	a, err := b.sample(srv, nil)
	if err != nil {
		return 0, err
	}
	if err := sleep(ctx, b.set.window); err != nil {
		return 0, err
	}
	z, err := b.sample(srv, nil)
	if err != nil {
		return 0, err
	}
	perPkt := perPacket(z.cpu-a.cpu, z.packetsIn-a.packetsIn, 1)
	b.log.Info("idle", "server", srv.name(), "cpu", z.cpu-a.cpu, "packets_in", z.packetsIn-a.packetsIn, "cpu_per_packet", perPkt)
	return perPkt, nil
}

// measure joins n viewers to srv, measures, and tears them down.
func (b *bench) measure(ctx context.Context, srv server, n int) (result, error) {
	res := result{server: srv.name(), viewers: n}
	if err := sleep(ctx, b.set.settle); err != nil {
		return res, err
	}
	rss0, err := b.proc.rss(srv.pid())
	if err != nil {
		return res, err
	}
	before, err := b.sample(srv, nil)
	if err != nil {
		return res, err
	}
	viewers, err := joinAll(ctx, srv, n, b.set.joinParallel, b.set.joinTimeout)
	defer func() { b.teardown(srv, viewers) }()
	if err != nil {
		return res, err
	}
	joined, err := b.sample(srv, nil)
	if err != nil {
		return res, err
	}
	res.joinCPU = (joined.cpu - before.cpu) / time.Duration(n)
	res.joinWall = joined.at.Sub(before.at)
	if err := b.steady(ctx, srv, viewers, &res); err != nil {
		return res, err
	}
	rss1, err := b.proc.rss(srv.pid())
	if err != nil {
		return res, err
	}
	res.rssPerView = float64(rss1-rss0) / float64(n)
	b.log.Info("measured", "server", res.server, "viewers", n, "join_wall", res.joinWall.Round(time.Millisecond),
		"cpu_per_join", res.joinCPU, "cpu_per_packet_viewer", res.cpuPerPkt,
		"kib_per_viewer", res.rssPerView/1024, "delivery", res.delivery, "worst_viewer", res.minDeliver,
		"numbered", res.numbered)
	return res, nil
}

// steady waits for the joins to settle, then measures CPU per packet per
// viewer and delivery over one window.
func (b *bench) steady(ctx context.Context, srv server, viewers []*viewer, res *result) error {
	if err := sleep(ctx, b.set.warm); err != nil {
		return err
	}
	a, err := b.sample(srv, viewers)
	if err != nil {
		return err
	}
	var profiled func() error
	if p, ok := srv.(profiler); ok {
		profiled = p.startProfile(ctx, b.set.window, len(viewers))
	}
	probe := srv.latency()
	probe.start()
	if err := sleep(ctx, b.set.window); err != nil {
		probe.stop()
		return err
	}
	z, err := b.sample(srv, viewers)
	lat := probe.stop()
	if err != nil {
		return err
	}
	res.latP50, res.latP99, res.readP99 = lat.socket.p50, lat.socket.p99, lat.read.p99
	b.log.Info("latency", "server", srv.name(), "viewers", len(viewers),
		"socket_p50", lat.socket.p50, "socket_p99", lat.socket.p99,
		"ice_read_p50", lat.iceRead.p50, "ice_read_p99", lat.iceRead.p99,
		"read_p50", lat.read.p50, "read_p99", lat.read.p99,
		"tee_send_p50", lat.teeSend.p50, "tee_send_p99", lat.teeSend.p99,
		"packets", lat.samples, "at_socket", lat.arrived,
		"without_stamp", lat.missed, "without_arrival", lat.noArrival)
	if profiled != nil {
		if err := profiled(); err != nil {
			return err
		}
	}
	in := z.packetsIn - a.packetsIn
	res.cpuPerPkt = perPacket(z.cpu-a.cpu, in, len(viewers))
	res.packetRate = float64(in) / z.at.Sub(a.at).Seconds()
	res.delivery, res.minDeliver = deliveryRatio(a.delivered, z.delivered, in)
	res.numbered = numberedRatio(a, z)
	if res.minDeliver < minFairDelivery {
		b.log.Warn("a viewer missed part of the stream: this server's numbers cover less work",
			"server", srv.name(), "viewers", len(viewers), "worst_delivery", res.minDeliver)
	}
	return nil
}

// sample reads srv's CPU time, the tee's count and each viewer's count.
func (b *bench) sample(srv server, viewers []*viewer) (sample, error) {
	cpu, err := b.proc.cpu(srv.pid())
	if err != nil {
		return sample{}, err
	}
	s := sample{at: time.Now(), cpu: cpu, packetsIn: b.tee.count()}
	for _, v := range viewers {
		s.delivered = append(s.delivered, v.packets.Load())
		s.lost = append(s.lost, v.lost.Load())
	}
	return s, nil
}

// teardown closes every viewer, a few at a time, on a context of its own so
// that it also runs after an interrupt.
func (b *bench) teardown(srv server, viewers []*viewer) {
	if len(viewers) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var failed int
	var mu sync.Mutex
	forEach(len(viewers), b.set.joinParallel, func(i int) {
		if err := viewers[i].close(ctx); err != nil {
			mu.Lock()
			failed++
			mu.Unlock()
			b.log.Debug("viewer teardown", "server", srv.name(), "err", err)
		}
	})
	if failed > 0 {
		b.log.Warn("some viewers did not close cleanly", "server", srv.name(), "count", failed, "of", len(viewers))
	}
}

// joinAll joins n viewers to srv and returns once every one of them is
// connected and receiving. At most parallel viewers negotiate and connect at
// once; waiting for the first packet (which a server that starts viewers on a
// keyframe delays by up to a keyframe interval) does not hold a slot. On
// error it returns the viewers it did open (for teardown) and the first error.
func joinAll(ctx context.Context, srv server, n, parallel int, timeout time.Duration) ([]*viewer, error) {
	var (
		mu      sync.Mutex
		viewers []*viewer
		errs    []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	forEach(n, parallel, func(int) {
		jctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		v, err := srv.join(jctx)
		if err != nil {
			fail(err)
			return
		}
		mu.Lock()
		viewers = append(viewers, v)
		mu.Unlock()
		if err := v.waitConnected(jctx); err != nil {
			fail(err)
		}
	})
	if len(errs) == 0 {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		forEach(len(viewers), len(viewers), func(i int) {
			if err := viewers[i].waitReceiving(rctx); err != nil {
				fail(err)
			}
		})
	}
	if len(errs) > 0 {
		return viewers, fmt.Errorf("%s: %d of %d viewers %w, first: %w", srv.name(), len(errs), n, errJoin, errs[0])
	}
	return viewers, nil
}

// forEach calls f(0) … f(n-1) with at most parallel calls at once.
func forEach(n, parallel int, f func(i int)) {
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// perPacket divides cpu by packets × viewers.
func perPacket(cpu time.Duration, packets uint64, viewers int) time.Duration {
	if packets == 0 || viewers == 0 {
		return 0
	}
	return cpu / time.Duration(packets*uint64(viewers))
}

// deliveryRatio returns the mean and the worst viewer's packets received per
// packet in, between samples a and z.
func deliveryRatio(a, z []uint64, in uint64) (mean, worst float64) {
	if in == 0 || len(a) == 0 {
		return 0, 0
	}
	worst = -1
	var sum float64
	for i := range a {
		r := float64(z[i]-a[i]) / float64(in)
		sum += r
		if worst < 0 || r < worst {
			worst = r
		}
	}
	return sum / float64(len(a)), worst
}

// numberedRatio returns the packets the viewers received, over those plus
// the gaps in their sequence numbers, between samples a and z.
func numberedRatio(a, z sample) float64 {
	var got, lost uint64
	for i := range a.delivered {
		got += z.delivered[i] - a.delivered[i]
		lost += z.lost[i] - a.lost[i]
	}
	if got+lost == 0 {
		return 0
	}
	return float64(got) / float64(got+lost)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
