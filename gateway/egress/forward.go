package egress

import (
	"sync"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/outbound"
	"mediagate.dev/mediagate/gateway/stream"
)

// reportInterval is how often each viewer track sends a Sender Report, and
// how often a track still waiting for a keyframe asks for one again.
const reportInterval = time.Second

// rtpHeaderSize is the size of the headers egress writes: no CSRC, no
// extension.
const rtpHeaderSize = 12

// forwarder drains one viewer track's subscription on one goroutine: it
// waits until the track is bound and connected, thins a viewer to key
// frames when asked, and hands each packet to its outbound.Track, which
// gates on a keyframe, rewrites the header, inserts out-of-band SPS/PPS,
// writes through the forwarder (the outbound.Writer) to pion and, for
// video, keeps the packet in its history. It answers the viewer's NACKs
// from that history (retransmit.go) and sends a Sender Report every
// second.
type forwarder struct {
	v     *Viewer
	plan  *trackPlan
	track *outTrack
	feed  outbound.Feed
	out   outbound.Track
	cur   *binding // the binding of the packet being written
	video bool

	profile profileCheck
	live    bool // bound and connected: packets go out
	thin    thinner

	st         starter       // how the video track started (start.go)
	bridgeFeed outbound.Feed // the bridge's packets while the track is on it

	// nacks carries the NACK pairs the RTCP goroutine accepted (nil for
	// audio); retransmit is the outbound.Writer of the answers.
	nacks      chan nackRequest
	retransmit outbound.Writer

	// The fast path (fan.go): once live, a viewer whose keys egress has
	// sends through link, and its packets come from fan's goroutine, which
	// holds mu while it writes one; the forwarder's goroutine holds mu
	// for everything else it does. batch is set while the fan writes.
	mu    sync.Mutex
	link  *fastLink
	fan   *fan
	batch *batch
	gone  bool // left the fan: a pass that loaded it before sends nothing
}

func newForwarder(v *Viewer, plan *trackPlan, t *outTrack) *forwarder {
	f := &forwarder{v: v, plan: plan, track: t, video: plan.src.Kind == stream.Video}
	f.profile = profileCheck{v: v, offered: plan.offeredProfiles, mismatch: plan.mismatch}
	f.out.OnSPS = f.profile.check
	f.out.Follow(plan.src)
	if f.video {
		f.out.History = outbound.NewRefHistory(nackHistorySize)
		f.nacks = make(chan nackRequest, nackBacklog)
		f.retransmit = outbound.WriterFunc(f.writeRetransmit)
	}
	return f
}

// run is the forwarder goroutine. It subscribes when it starts and leaves
// when the viewer stops.
func (f *forwarder) run() {
	f.feed.Subscribe(f.plan.src, f.v.m.cfg.QueueDepth)
	defer f.feed.Close()
	defer f.closeBridgeFeed()
	defer f.leaveBridge()
	if f.video {
		f.warm()
	}
	ticker := time.NewTicker(reportInterval)
	defer ticker.Stop()
	bound, ready := f.track.boundCh, f.v.ready
	defer f.leaveFan()
	for {
		select {
		case <-f.v.stopCh:
			f.countDrops()
			return
		case <-bound:
			bound = nil
			f.join(bound, ready)
		case <-ready:
			ready = nil
			f.join(bound, ready)
		case p := <-f.feed.Packets():
			f.mu.Lock()
			f.forward(p, time.Now())
			f.mu.Unlock()
		case p := <-f.bridgeFeed.Packets():
			f.mu.Lock()
			if f.st.release == nil {
				f.closeBridgeFeed() // the track left the bridge
			} else {
				f.fromBridge(p)
			}
			f.mu.Unlock()
		case r := <-f.nacks:
			f.mu.Lock()
			f.resend(r)
			f.mu.Unlock()
		case <-ticker.C:
			f.mu.Lock()
			f.tick()
			f.mu.Unlock()
		}
	}
}

// fanOut forwards the packets of the fan's pass into its batch.
func (f *forwarder) fanOut(burst []*stream.Packet, b *batch, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gone {
		return
	}
	f.batch = b
	for _, p := range burst {
		f.forward(p, now)
	}
	f.batch = nil
}

// joinFan puts a track that just went live on the fast path when the
// viewer's keys are known: its packets come from the fan of its source
// from now on, and its own subscription closes. The fan subscribes before
// the track starts, so the GOP replay and the fan miss nothing between
// them. f.mu is held.
func (f *forwarder) joinFan() {
	ctx := f.v.fastContext(f.track)
	if ctx == nil {
		return
	}
	f.link = &fastLink{ctx: ctx, dest: &f.v.dest}
	f.fan = f.v.m.acquireFan(f.plan.src)
	f.fan.add(f)
	f.v.metrics.queueDropped.Add(float64(f.feed.Close()))
}

// leaveFan takes the track off its fan when the viewer stops.
func (f *forwarder) leaveFan() {
	if f.fan == nil {
		return
	}
	f.mu.Lock()
	f.gone = true
	f.mu.Unlock()
	f.fan.remove(f)
	f.v.m.releaseFan(f.fan)
}

// join makes the track live once it is both bound and connected, and
// starts a video viewer on a fresh keyframe, asked for as a join (at once,
// within the stream's join budget). Audio has no keyframe to ask for.
func (f *forwarder) join(bound, ready <-chan struct{}) {
	if bound == nil && ready == nil {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.joinFan()
		f.live = true
		f.v.wentLive(time.Now())
		if f.video {
			f.plan.requestJoinKeyframe()
			f.start(time.Now())
		}
	}
}

// use makes b the binding the track's packets and reports go out with:
// pion's SSRC and the negotiated payload type.
func (f *forwarder) use(b *binding) {
	f.cur = b
	f.out.SSRC, f.out.PayloadType = b.ssrc, b.pt
}

// forward sends one source packet, or drops it while not live or gated.
func (f *forwarder) forward(p *stream.Packet, now time.Time) {
	b := f.track.bound.Load()
	if b == nil || !f.live || f.replayed(p) || f.onBridge(p) {
		return
	}
	if f.video && f.v.keyOnly.Load() && !f.thin.pass(p) {
		f.out.Skip()
		f.v.metrics.thinned.Inc()
		return
	}
	f.use(b)
	if f.out.Forward(f, p, now) {
		f.plan.requestKeyframe()
	}
}

// WriteRTP writes one packet of the track and counts it: into the fan's
// batch, straight to the socket on the fast path outside a pass, or to
// pion. It is the track's outbound.Writer.
func (f *forwarder) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	n, err := f.write(h, payload)
	if err != nil {
		f.v.metrics.writeErrors.Inc()
		f.v.errs.Warn("write rtp", "kind", f.plan.src.Kind, "err", err)
		return n, err
	}
	if n == 0 { // pion drops packets silently until SRTP is up
		return 0, nil
	}
	f.v.metrics.packets.Inc()
	f.v.metrics.bytes.Add(float64(rtpHeaderSize + len(payload)))
	if f.video && !f.st.sentAny {
		f.sent()
	}
	return n, nil
}

// write sends one packet on the track's path.
func (f *forwarder) write(h *rtp.Header, payload []byte) (int, error) {
	switch {
	case f.link == nil:
		return f.cur.writer.WriteRTP(h, payload)
	case f.batch != nil:
		pkt, err := f.link.seal(f.batch.slot(), h, payload)
		if err != nil {
			return 0, err
		}
		f.batch.add(f.link.dest.Load(), pkt)
		return len(pkt), nil
	default:
		return f.link.write(h, payload)
	}
}

// tick runs once per reportInterval: drop accounting, keyframe retries,
// and the Sender Report with an SDES CNAME matching the answer's a=ssrc
// cname.
func (f *forwarder) tick() {
	f.countDrops()
	b := f.track.bound.Load()
	if b == nil || !f.live {
		return
	}
	if f.out.Waiting() {
		f.plan.requestKeyframe()
	}
	f.use(b)
	var w outbound.RTCPWriter = f.v.pc
	if f.link != nil {
		w = f.link
	}
	if err := f.out.Report(w, f.plan.src.SenderClock(), f.track.streamID, time.Now()); err != nil {
		f.v.metrics.writeErrors.Inc()
		f.v.errs.Warn("write sender report", "kind", f.plan.src.Kind, "err", err)
	}
}

func (f *forwarder) countDrops() {
	if d := f.feed.Drops(); d > 0 {
		f.v.metrics.queueDropped.Add(float64(d))
	}
}
