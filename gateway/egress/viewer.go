package egress

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/srtp/v3"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/ratelog"
)

// Viewer is one browser session: a PeerConnection, one forwarder per sent
// track and one RTCP reader per sender. A supervisor goroutine owns its end:
// Close, ICE or DTLS failure, the setup timeout and the stream's removal all
// ask it to stop, and it tears everything down once.
type Viewer struct {
	id       string // the session ID: a secret, never logged nor published
	publicID string // what logs and events call the viewer (signal.PublicID)
	remote   string
	stream   *stream.Stream
	m        *Manager
	pc       *webrtc.PeerConnection
	log      *slog.Logger
	metrics  *streamMetrics
	errs     *ratelog.Logger

	tracks []*outTrack  // set up by negotiate, before start
	plans  []*trackPlan // their plans; teardown releases their renditions

	// Signalling state, guarded by mu (AddCandidate and Restart).
	mu          sync.Mutex
	offerSDP    string // the remote offer as applied, for restarts
	bundleMid   string
	remoteUfrag string
	remotePwd   string
	candidates  int

	// liveAt is when the viewer's first track went live (wentLive).
	liveAt    atomic.Pointer[time.Time]
	joined    atomic.Bool
	keyOnly   atomic.Bool   // thinned to key frames (SetKeyframesOnly)
	feedback  feedback      // REMB and loss, for Config.OnREMB
	nackGuard *nackGuard    // the retransmission budget of all its tracks
	connected chan struct{} // ICE connected: the setup timer stops
	connOnce  sync.Once
	ready     chan struct{} // DTLS and SRTP up: media can flow
	readyOnce sync.Once

	// The fast path (fastlink.go): where its packets go, and the SRTP
	// context of each track, found once when the first track goes live.
	dest     atomic.Pointer[fastDest]
	fastOnce sync.Once
	fastCtxs []*srtp.Context

	// Lifecycle: runMu guards stopping, reason and wg.Add.
	runMu    sync.Mutex
	stopping bool
	reason   string
	stopCh   chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	done     chan struct{}
}

func newViewer(m *Manager, req ViewerRequest, pc *webrtc.PeerConnection, o *offer, sm *streamMetrics, plans []*trackPlan) *Viewer {
	publicID := signal.PublicID(req.ID)
	log := m.cfg.Log.With("viewer", publicID, "stream", req.Stream.Name, "remote", req.Remote)
	v := &Viewer{
		id: req.ID, publicID: publicID, remote: req.Remote, stream: req.Stream, m: m, pc: pc,
		log: log, metrics: sm, errs: ratelog.New(log), plans: plans,
		offerSDP: o.sdp, bundleMid: o.bundleMid, remoteUfrag: o.ufrag, remotePwd: o.pwd,
		candidates: o.candidates,
		nackGuard:  newNACKGuard(nackBudget),
		connected:  make(chan struct{}),
		ready:      make(chan struct{}),
		stopCh:     make(chan struct{}),
		done:       make(chan struct{}),
	}
	pc.OnICEConnectionStateChange(v.iceStateChanged)
	pc.OnConnectionStateChange(v.connectionStateChanged)
	pc.SCTP().Transport().ICETransport().OnSelectedCandidatePairChange(v.followPair)
	go v.supervise(m.cfg.SetupTimeout)
	return v
}

// ID returns the session's ID, the secret of its session URL: it keys the
// viewer in memory and is never logged nor published.
func (v *Viewer) ID() string { return v.id }

// PublicID returns the non-secret name of the viewer that logs, events and
// webhooks carry (signal.PublicID of its ID).
func (v *Viewer) PublicID() string { return v.publicID }

// Connected is closed once the viewer's ICE has connected; until then the
// session is half-open (signal.Connector).
func (v *Viewer) Connected() <-chan struct{} { return v.connected }

// Stream returns the stream the viewer watches.
func (v *Viewer) Stream() *stream.Stream { return v.stream }

// Done is closed once the session has ended for any reason and released
// everything.
func (v *Viewer) Done() <-chan struct{} { return v.done }

// Close ends the session and waits until everything is released. It is
// idempotent; viewer.leave is published once.
func (v *Viewer) Close() {
	v.requestStop("closed")
	<-v.done
}

// requestStop asks the supervisor to end the session; the first reason wins.
func (v *Viewer) requestStop(reason string) {
	v.stopOnce.Do(func() {
		v.runMu.Lock()
		v.stopping, v.reason = true, reason
		close(v.stopCh)
		v.runMu.Unlock()
	})
}

// goRun starts fn on a goroutine the teardown waits for, unless the session
// is already stopping.
func (v *Viewer) goRun(fn func()) bool {
	v.runMu.Lock()
	defer v.runMu.Unlock()
	if v.stopping {
		return false
	}
	v.wg.Go(fn)
	return true
}

// start launches the forwarders and RTCP readers and announces the viewer.
func (v *Viewer) start(plans []*trackPlan) error {
	senders := v.pc.GetSenders()
	fwds := make([]*forwarder, len(plans))
	for i, p := range plans {
		fwds[i] = newForwarder(v, p, v.tracks[i])
		if !v.goRun(fwds[i].run) {
			return ErrClosed
		}
	}
	for i, s := range senders {
		remb := i == 0 // REMB reaches every sender it names: hand it on once
		fb := v.rtcpFeedback(v.keyframeFor(s.Track(), plans), remb, forwarderFor(s.Track(), fwds))
		if !v.goRun(func() { v.readRTCP(s, fb) }) {
			return ErrClosed
		}
	}
	v.joined.Store(true)
	v.stream.Publish(event.Event{Type: event.ViewerJoin, Data: map[string]string{"viewer": v.publicID, "remote": v.remote}})
	v.log.Info("viewer joined")
	return nil
}

// fastContext returns t's SRTP context on the fast path, or nil when the
// viewer stays on pion's. The first call finds the viewer's keys.
func (v *Viewer) fastContext(t *outTrack) *srtp.Context {
	v.fastOnce.Do(func() {
		var result string
		v.fastCtxs, result = v.fastKeys()
		v.metrics.paths[result].Inc()
		v.log.Debug("viewer path", "path", result)
	})
	for i, o := range v.tracks {
		if o == t && v.fastCtxs != nil {
			return v.fastCtxs[i]
		}
	}
	return nil
}

// joinWindow is how long after a viewer's first track went live its PLIs
// and FIRs are join requests (Stream.RequestKeyframeForJoin): a browser
// that cannot decode its first frames asks at once, and a request
// coalesced into the one its join made would leave it waiting a whole
// keyframe interval.
const joinWindow = time.Second

// wentLive records that one of the viewer's tracks went live at now; the
// first one starts the join window.
func (v *Viewer) wentLive(now time.Time) { v.liveAt.CompareAndSwap(nil, &now) }

// joining reports whether now lies within the viewer's join window.
func (v *Viewer) joining(now time.Time) bool {
	at := v.liveAt.Load()
	return at != nil && now.Sub(*at) < joinWindow
}

func (v *Viewer) iceStateChanged(s webrtc.ICEConnectionState) {
	switch s {
	case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
		v.connOnce.Do(func() {
			close(v.connected)
			v.log.Debug("viewer connected")
		})
	case webrtc.ICEConnectionStateFailed:
		v.requestStop("ice failed")
	}
}

// connectionStateChanged follows the PeerConnection. pion reports
// connected while the DTLS transport still holds the lock under which it
// starts SRTP, so a write made after this callback waits for SRTP instead of
// being dropped.
func (v *Viewer) connectionStateChanged(s webrtc.PeerConnectionState) {
	switch s {
	case webrtc.PeerConnectionStateConnected:
		v.readyOnce.Do(func() { close(v.ready) })
	case webrtc.PeerConnectionStateFailed:
		v.requestStop("connection failed")
	case webrtc.PeerConnectionStateClosed:
		v.requestStop("peer connection closed")
	}
}

// supervise waits for a reason to end the session, then tears it down.
func (v *Viewer) supervise(setupTimeout time.Duration) {
	timer := time.NewTimer(setupTimeout)
	defer timer.Stop()
	timeout, connected := timer.C, v.connected
	for {
		select {
		case <-v.stopCh:
			v.teardown()
			return
		case <-v.stream.Closed():
			v.requestStop("stream removed")
		case <-connected:
			timeout, connected = nil, nil
		case <-timeout:
			v.metrics.setupTimeouts.Inc()
			v.requestStop("setup timeout")
		}
	}
}

// teardown closes the PeerConnection, waits for the session's goroutines,
// gives back its slots and publishes viewer.leave.
func (v *Viewer) teardown() {
	if err := v.pc.Close(); err != nil {
		v.log.Debug("close peer connection", "err", err)
	}
	v.wg.Wait()
	releasePlans(v.plans)
	v.m.release(v)
	if v.joined.Load() {
		v.stream.Publish(event.Event{Type: event.ViewerLeave, Data: map[string]string{
			"viewer": v.publicID, "remote": v.remote, "reason": v.reason,
		}})
		v.log.Info("viewer left", "reason", v.reason)
	}
	close(v.done)
}
