package whip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/bwe"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/signal/jsep"
	"mediagate.dev/mediagate/gateway/stream"
)

// Reasons a publishing session ends, in logs, metrics and stream.down.
const (
	reasonDeleted  = "deleted"
	reasonFailed   = "ice failed"
	reasonClosed   = "connection closed"
	reasonSetup    = "setup timeout"
	reasonRemoved  = "stream removed"
	reasonShutdown = "shutdown"
	reasonAborted  = "setup failed"
)

// Publisher is one browser publishing to a stream through WHIP: its
// PeerConnection, the readers that write its media into the stream's
// tracks, and the RTCP loop that sends REMB and PLI back. It implements
// the signal.Session that the signalling engine drives (trickle ICE, ICE
// restarts, DELETE).
type Publisher struct {
	m       *Manager
	id      string
	remote  string
	source  string // "whip", or "whep" for a pull (Manager.Offer)
	target  Target
	st      *stream.Stream
	pc      *webrtc.PeerConnection
	log     *slog.Logger
	metrics *streamMetrics
	up      *bwe.Upstream // the link estimate and the REMB rule toward the publisher

	// mu serialises Restart and AddCandidate and guards the fields below.
	mu                     sync.Mutex
	offer                  string // the applied remote offer
	remoteUfrag, remotePwd string
	bundleMid              string

	videoSSRC atomic.Uint32 // the publisher's video SSRC once its track arrived
	audioSSRC atomic.Uint32
	live      atomic.Bool // the first media packet has arrived (stream.up)
	started   atomic.Bool // start ran: the stream's hooks point here
	keyframe  chan struct{}
	// joinKeyframe carries the stream's join requests (requestJoinKeyframe).
	joinKeyframe chan struct{}
	connected    chan struct{}

	wg       sync.WaitGroup // readers, the RTCP loop, the watcher
	wgMu     sync.Mutex     // orders wg.Add after stop is checked, before Wait
	stopOnce sync.Once
	stop     chan struct{} // closed when the session starts ending
	reason   string        // why, set before stop is closed
	done     chan struct{} // closed when everything has ended
}

func newPublisher(m *Manager, req PublishRequest, pc *webrtc.PeerConnection) *Publisher {
	r := req.Target.REMB
	p := &Publisher{
		m: m, id: req.ID, remote: req.Remote, source: "whip", target: req.Target, st: req.Target.Stream, pc: pc,
		log:     m.cfg.Log.With("stream", req.Target.Stream.Name, "session", signal.PublicID(req.ID)),
		metrics: m.cfg.Metrics.forStream(req.Target.Stream.Name),
		up: bwe.NewUpstream(bwe.UpstreamConfig{Config: bwe.Config{MinBitrate: r.MinBitrate * 1000,
			MaxBitrate: r.MaxBitrate * 1000, StartBitrate: r.StartBitrate * 1000}}),
		offer:        req.Offer,
		keyframe:     make(chan struct{}, 1),
		joinKeyframe: make(chan struct{}, 1),
		connected:    make(chan struct{}),
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	p.metrics.sessionStarted()
	pc.OnTrack(p.onTrack)
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			once.Do(func() { close(p.connected) })
			p.log.Info("whip publisher connected")
		case webrtc.PeerConnectionStateFailed:
			go p.end(reasonFailed)
		case webrtc.PeerConnectionStateClosed:
			go p.end(reasonClosed)
		}
	})
	return p
}

// negotiate applies the offer, desc being its parsed form, and returns the
// answer with every local candidate.
func (p *Publisher) negotiate(ctx context.Context, desc *sdp.SessionDescription) (string, error) {
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: p.offer}); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	for _, tr := range p.pc.GetTransceivers() {
		if tr.Mid() != "" {
			p.bundleMid = tr.Mid()
			break
		}
	}
	answer, err := p.answer(ctx)
	if err != nil {
		return "", err
	}
	if err := checkAnswer(answer); err != nil {
		return "", err
	}
	p.remoteUfrag, p.remotePwd, _ = jsep.ICE(desc)
	return answer, nil
}

// answer creates and applies the local answer and waits for gathering.
func (p *Publisher) answer(ctx context.Context) (string, error) {
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnacceptable, err)
	}
	return p.applyLocal(ctx, answer)
}

// applyLocal applies a local description (an answer, or a pull's offer)
// and returns it with every local candidate once gathering completes.
func (p *Publisher) applyLocal(ctx context.Context, desc webrtc.SessionDescription) (string, error) {
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(desc); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnacceptable, err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("whip: gathering candidates: %w", ctx.Err())
	case <-p.stop:
		return "", ErrClosed
	}
	local := p.pc.LocalDescription()
	if local == nil {
		return "", errors.New("whip: no local description")
	}
	return local.SDP, nil
}

// start hooks the publisher into its stream and starts its loops.
func (p *Publisher) start() {
	p.started.Store(true)
	p.st.SetKeyframeRequester(keyframeRequester{p})
	p.spawn(p.watch)
	p.spawn(p.rtcpLoop)
	p.log.Info("whip publisher created", "remote", p.remote)
}

// spawn runs f in a goroutine that teardown waits for, unless the session
// is already ending.
func (p *Publisher) spawn(f func()) {
	p.wgMu.Lock()
	defer p.wgMu.Unlock()
	if p.stopping() {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f()
	}()
}

// watch ends the session when its stream is removed or when ICE has not
// connected within the setup timeout.
func (p *Publisher) watch() {
	setup := time.NewTimer(p.m.cfg.SetupTimeout)
	defer setup.Stop()
	connected := p.connected
	for {
		select {
		case <-p.stop:
			return
		case <-p.st.Closed():
			go p.end(reasonRemoved)
			return
		case <-connected:
			setup.Stop()
			connected = nil // a nil channel blocks: wait for the rest
		case <-setup.C:
			go p.end(reasonSetup)
			return
		}
	}
}

// AddCandidate adds one trickled remote candidate ("candidate:…", RFC
// 8840) to the bundled transport. The SettingEngine's filters decide which
// candidates ICE uses; an empty candidate (end of candidates) is accepted.
func (p *Publisher) AddCandidate(candidate, _ string) error {
	if candidate == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping() {
		return ErrClosed
	}
	mid := p.bundleMid
	if err := p.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: candidate, SDPMid: &mid}); err != nil {
		return fmt.Errorf("%w: candidate: %v", ErrBadOffer, err)
	}
	return nil
}

// Restart performs an ICE restart (RFC 8445 §9, RFC 9725 §4.3.3) with the
// publisher's new credentials and candidates and returns the gateway's new
// credentials and candidates. Unchanged credentials are refused and leave
// the session as it was.
func (p *Publisher) Restart(ctx context.Context, ufrag, pwd string, candidates []string) (string, string, []string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping() {
		return "", "", nil, ErrClosed
	}
	if ufrag == p.remoteUfrag || pwd == p.remotePwd {
		return "", "", nil, fmt.Errorf("%w: an ICE restart needs new credentials", ErrBadOffer)
	}
	offer, err := jsep.RestartOffer(p.offer, ufrag, pwd, candidates)
	if err != nil {
		return "", "", nil, fmt.Errorf("%w: restart: %v", ErrBadOffer, err)
	}
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", "", nil, fmt.Errorf("%w: restart: %v", ErrUnacceptable, err)
	}
	p.offer, p.remoteUfrag, p.remotePwd = offer, ufrag, pwd
	answer, err := p.answer(ctx)
	if err != nil {
		return "", "", nil, err
	}
	lufrag, lpwd, local, err := jsep.LocalICE(answer)
	if err != nil {
		return "", "", nil, err
	}
	p.log.Info("whip ICE restart", "candidates", len(candidates))
	return lufrag, lpwd, local, nil
}

// Close ends the session (DELETE) and returns once the stream is free for
// the next publisher; it is idempotent.
func (p *Publisher) Close() {
	p.end(reasonDeleted)
	<-p.done
}

// Done is closed once the session has ended and the stream is free for
// the next publisher.
func (p *Publisher) Done() <-chan struct{} { return p.done }

// Connected is closed once the publisher's PeerConnection has connected;
// until then the session is half-open (signal.Connector).
func (p *Publisher) Connected() <-chan struct{} { return p.connected }

// stopping reports whether the session has started ending.
func (p *Publisher) stopping() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// end starts the teardown once, recording why, and returns at once.
func (p *Publisher) end(reason string) {
	p.stopOnce.Do(func() {
		p.reason = reason
		p.wgMu.Lock()
		close(p.stop)
		p.wgMu.Unlock()
		go p.teardown()
	})
}

// teardown closes the PeerConnection, waits for the loops, marks the stream
// down and frees it for the next publisher.
func (p *Publisher) teardown() {
	if err := p.pc.Close(); err != nil {
		p.log.Debug("whip peer connection close", "err", err)
	}
	p.wg.Wait()
	if p.started.Load() {
		p.st.SetKeyframeRequester(nil)
	}
	if p.live.Load() {
		p.st.SetUp(false, map[string]string{"source": p.source, "remote": p.remote, "reason": p.reason})
	}
	p.metrics.sessionEnded(p.reason)
	p.m.release(p.st.Name, p)
	p.log.Info("whip publisher ended", "reason", p.reason)
	close(p.done)
}
