package forward

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/outbound"
	"mediagate.dev/mediagate/gateway/stream"
)

// Why a session ends, in logs, metrics and forward.down.
const (
	reasonSourceGone = "source gone"
	reasonMoved      = "stream replaced"
	reasonRemoved    = "stream removed"
	reasonClosed     = "forward removed"
	reasonICEFailed  = "ice_failed"
	// reasonRemoteClosed: the remote ended the DTLS association (a server
	// shutting down cleanly), which closes the peer connection.
	reasonRemoteClosed = "remote_closed"
)

// Session timings.
const (
	// gatherWait bounds the wait for ICE gathering before the POST;
	// candidates found later are trickled by PATCH.
	gatherWait = 2 * time.Second
	// restartAfter is how long ICE may stay disconnected before the
	// session restarts it (RFC 9725 §4.3.3).
	restartAfter = 3 * time.Second
	// reportInterval paces Sender Reports and the bitrate gauge.
	reportInterval = time.Second
	// deleteTimeout bounds the DELETE at the end of a session.
	deleteTimeout = 2 * time.Second
)

// errICE reports a session whose ICE failed and could not be restarted.
var errICE = errors.New("ice failed")

// session is one WHIP session of a Forward: its PeerConnection, one
// sender per source track, and the resource on the server. The Forward's
// goroutine runs it; the RTCP readers are its only other goroutines.
type session struct {
	f       *Forward
	st      *stream.Stream
	pc      *webrtc.PeerConnection
	res     *Resource
	answer  string // the remote description applied
	senders []*sender
	closing chan struct{} // closed when the session starts ending
	done    chan struct{} // closed when it has ended (bwe.Consumer)
	// connected is closed when the PeerConnection first connects (ICE and
	// DTLS), which may happen before waitConnected runs: the answer's
	// renditions start between the two.
	connected chan struct{}
	ice       chan webrtc.ICEConnectionState
	trickle   chan string // local candidates found after the POST
	// trickling is set once a gathering wait (the offer's, an ICE
	// restart's) ended before gathering did: later candidates go to
	// trickle.
	trickling atomic.Bool
	readers   sync.WaitGroup
	sentAt    time.Time
	bytes     uint64
}

// sender sends one source track, or the rendition of it the endpoint
// took instead (transcode.go).
type sender struct {
	src       *stream.Track
	track     *stream.Track // what is sent: src, or rendition.Track
	rendition *stream.Rendition
	release   func() // gives the rendition back; nil for the source
	keyframe  func() // asks track's producer for a keyframe
	local     *localTrack
	rtp       *webrtc.RTPSender
	feed      outbound.Feed
	out       outbound.Track
	cur       *binding
}

// requestKeyframe asks the producer of what snd sends for a keyframe: the
// source, or the rendition's encoder.
func (snd *sender) requestKeyframe() {
	if snd.rendition != nil {
		snd.rendition.RequestKeyframe()
		return
	}
	snd.keyframe()
}

// ID tells the session apart from the stream's viewers (bwe.Consumer).
func (s *session) ID() string { return "forward " + s.f.url }

// Stream is the stream the session sends (bwe.Consumer).
func (s *session) Stream() *stream.Stream { return s.st }

// Done is closed once the session has ended (bwe.Consumer).
func (s *session) Done() <-chan struct{} { return s.done }

// session runs one session of st from the POST to its end. It returns
// whether media flowed, and nil when the session ended because the
// source went or the Forward moved or closed.
func (f *Forward) session(st *stream.Stream) (wasUp bool, err error) {
	s, err := f.newSession(st)
	if err != nil {
		return false, err
	}
	defer s.close()
	offer, err := s.offer()
	if err != nil {
		return false, err
	}
	ans, err := f.cfg.Client.Create(f.ctx, f.cfg.URL, offer)
	if err != nil {
		if kinds := f.switchable(st, s.kinds()); codecStatus(err) && len(kinds) > 0 {
			return false, &refusal{kinds: kinds, cause: Reason(err)}
		}
		return false, err
	}
	s.res = ans.Resource
	defer s.delete()
	if len(ans.ICEServers) > 0 {
		f.iceServers = ans.ICEServers
	}
	if kinds := f.switchable(st, refusedKinds(ans.SDP, s.offered())); len(kinds) > 0 {
		return false, &refusal{kinds: kinds, cause: "m-line refused"}
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: ans.SDP}); err != nil {
		return false, fmt.Errorf("%w: %v", ErrAnswer, err)
	}
	s.answer = ans.SDP
	if err := s.bindRenditions(); err != nil {
		return false, err
	}
	if err := s.waitConnected(); err != nil {
		return false, err
	}
	f.setState(StateUp)
	if tc := s.transcoded(); tc != "" {
		f.ser.transcoded.Set(float64(len(s.Renditions())))
		f.publish(st, event.ForwardUp, ReasonRefused, "transcoded", tc)
		f.log.Info("forward up", "resource", Redact(s.res.URL), "transcoded", tc, "reason", ReasonRefused)
	} else {
		f.publish(st, event.ForwardUp, "")
		f.log.Info("forward up", "resource", Redact(s.res.URL))
	}
	reason := s.run()
	f.publish(st, event.ForwardDown, reason)
	f.log.Info("forward down", "reason", reason)
	if reason == reasonICEFailed {
		return true, errICE
	}
	return true, nil
}

// newSession builds the PeerConnection with a sendonly transceiver per
// source track.
func (f *Forward) newSession(st *stream.Stream) (*session, error) {
	offers, used := make(map[stream.Kind][]stream.Codec), make(map[uint8]bool)
	for _, t := range st.Tracks() {
		used[t.Codec.PayloadType] = true
	}
	for _, t := range st.Tracks() {
		offers[t.Kind] = f.offerCodecs(st, t, used)
	}
	api, err := newAPI(f.cfg.SettingEngine, offers)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{ICEServers: f.iceServers,
		BundlePolicy: webrtc.BundlePolicyMaxBundle, RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire})
	if err != nil {
		return nil, fmt.Errorf("forward: new peer connection: %w", err)
	}
	s := &session{f: f, st: st, pc: pc, closing: make(chan struct{}), done: make(chan struct{}),
		connected: make(chan struct{}), ice: make(chan webrtc.ICEConnectionState, 8), trickle: make(chan string, 32)}
	pc.OnICEConnectionStateChange(func(state webrtc.ICEConnectionState) {
		select {
		case s.ice <- state:
		default:
		}
	})
	var connectedOnce sync.Once
	pc.OnConnectionStateChange(func(state webrtc.PeerConnectionState) {
		if state == webrtc.PeerConnectionStateConnected {
			connectedOnce.Do(func() { close(s.connected) })
		}
	})
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil || !s.trickling.Load() {
			return
		}
		select {
		case s.trickle <- "candidate:" + c.ToJSON().Candidate:
		default:
		}
	})
	for _, t := range st.Tracks() {
		lt := &localTrack{kind: t.Kind}
		for _, c := range offers[t.Kind] {
			lt.mimes = append(lt.mimes, c.MimeType)
		}
		tr, err := pc.AddTransceiverFromTrack(lt, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			_ = pc.Close()
			return nil, fmt.Errorf("forward: %s transceiver: %w", t.Kind, err)
		}
		snd := &sender{src: t, track: t, keyframe: st.RequestKeyframe, local: lt, rtp: tr.Sender()}
		snd.out.Follow(t)
		s.senders = append(s.senders, snd)
	}
	return s, nil
}

// kinds returns the kinds the session offers.
func (s *session) kinds() []stream.Kind {
	var out []stream.Kind
	for _, snd := range s.senders {
		out = append(out, snd.src.Kind)
	}
	return out
}

// offered returns the MIME types the session offers, per kind.
func (s *session) offered() map[stream.Kind][]string {
	out := make(map[stream.Kind][]string)
	for _, snd := range s.senders {
		out[snd.src.Kind] = snd.local.mimes
	}
	return out
}

// offer creates and applies the offer and waits a little for gathering:
// what is gathered by then goes in the offer, the rest is trickled.
func (s *session) offer() (string, error) {
	offer, err := s.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("forward: create offer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("forward: set offer: %w", err)
	}
	if err := s.waitGathering(gathered); err != nil {
		return "", err
	}
	return s.pc.LocalDescription().SDP, nil
}

// waitGathering waits up to gatherWait for gathering to complete; when it
// does not, the candidates found later are trickled. The candidate
// handler exists from the session's start and trickles only after the
// wait, so no candidate falls between the description and the trickle
// (one found as the wait ends may be in both, which the remote ignores).
func (s *session) waitGathering(gathered <-chan struct{}) error {
	t := time.NewTimer(gatherWait)
	defer t.Stop()
	select {
	case <-gathered:
	case <-t.C:
		s.trickling.Store(true)
	case <-s.f.ctx.Done():
		return s.f.ctx.Err()
	}
	return nil
}

// waitConnected waits for ICE (and DTLS) to connect, bounded by
// Config.ConnectTimeout.
func (s *session) waitConnected() error {
	t := time.NewTimer(s.f.cfg.ConnectTimeout)
	defer t.Stop()
	for {
		select {
		case <-s.connected:
			s.start()
			return nil
		case c := <-s.trickle:
			s.sendCandidates([]string{c})
		case <-t.C:
			return fmt.Errorf("%w: not connected within %v", errICE, s.f.cfg.ConnectTimeout)
		case <-s.f.ctx.Done():
			return s.f.ctx.Err()
		}
	}
}

// start subscribes the senders and starts their RTCP readers.
func (s *session) start() {
	for _, snd := range s.senders {
		snd.feed.Subscribe(snd.track, s.f.cfg.QueueDepth)
		s.readers.Add(1)
		go s.readRTCP(snd)
		if snd.src.Kind == stream.Video {
			snd.requestKeyframe()
		}
	}
	s.sentAt = time.Now()
}

// run is the send loop: packets of each track, reports every second, ICE
// restarts, trickled candidates, until the session ends; it returns why.
func (s *session) run() string {
	tick := time.NewTicker(reportInterval)
	defer tick.Stop()
	var video, audio <-chan *stream.Packet
	var vs, as *sender
	for _, snd := range s.senders {
		if snd.src.Kind == stream.Video {
			vs, video = snd, snd.feed.Packets()
		} else {
			as, audio = snd, snd.feed.Packets()
		}
	}
	var disconnectedAt time.Time
	for {
		select {
		case <-s.f.ctx.Done():
			return reasonClosed
		case <-s.st.Closed():
			return reasonRemoved
		case p := <-video:
			s.forward(vs, p)
		case p := <-audio:
			s.forward(as, p)
		case c := <-s.trickle:
			s.sendCandidates([]string{c})
		case state := <-s.ice:
			switch state {
			case webrtc.ICEConnectionStateDisconnected:
				disconnectedAt = time.Now()
			case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
				disconnectedAt = time.Time{}
			case webrtc.ICEConnectionStateFailed:
				if !s.restartICE() {
					return reasonICEFailed
				}
				disconnectedAt = time.Time{}
			case webrtc.ICEConnectionStateClosed:
				return reasonRemoteClosed
			}
		case now := <-tick.C:
			if reason := s.tick(now); reason != "" {
				return reason
			}
			if !disconnectedAt.IsZero() && now.Sub(disconnectedAt) > restartAfter {
				if !s.restartICE() {
					return reasonICEFailed
				}
				disconnectedAt = time.Time{}
			}
		}
	}
}

// tick sends the Sender Reports, updates the bitrate and asks for a
// keyframe while video waits for one; it returns a reason when the session
// must end.
func (s *session) tick(now time.Time) string {
	switch {
	case !s.st.Up():
		return reasonSourceGone
	case s.f.current.Load() != s.st:
		return reasonMoved
	}
	for _, snd := range s.senders {
		if snd.out.Waiting() && snd.src.Kind == stream.Video {
			snd.requestKeyframe()
		}
		if b := snd.local.bound.Load(); b != nil {
			snd.out.SSRC = b.ssrc
			_ = snd.out.Report(s.pc, snd.track.SenderClock(), "mediagate", now)
		}
	}
	s.f.ser.bitrate.Set(float64(s.bytes*8) / now.Sub(s.sentAt).Seconds())
	s.bytes, s.sentAt = 0, now
	return ""
}

// forward sends one packet of snd's track.
func (s *session) forward(snd *sender, p *stream.Packet) {
	b := snd.local.bound.Load()
	if b == nil {
		return
	}
	snd.cur = b
	snd.out.SSRC, snd.out.PayloadType = b.ssrc, b.pt
	if snd.out.Forward(snd, p, time.Now()) {
		snd.requestKeyframe()
	}
	s.bytes += uint64(len(p.Payload))
}

// WriteRTP writes one packet through pion (interceptors, SRTP); it is the
// sender's outbound.Writer.
func (snd *sender) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	return snd.cur.writer.WriteRTP(h, payload)
}

// close ends the session: the subscriptions, the PeerConnection, the RTCP
// readers, and the consumer's demand.
func (s *session) close() {
	close(s.closing)
	for _, snd := range s.senders {
		snd.feed.Close()
	}
	_ = s.pc.Close()
	s.readers.Wait()
	close(s.done)
	for _, snd := range s.senders {
		if snd.release != nil {
			snd.release()
		}
	}
	s.f.ser.bitrate.Set(0)
	s.f.ser.transcoded.Set(0)
}

// delete ends the session on the server (RFC 9725 §4.2), also when the
// Forward is closing.
func (s *session) delete() {
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	if err := s.f.cfg.Client.Delete(ctx, s.res); err != nil {
		s.f.log.Warn("forward DELETE failed", "err", err)
	}
}
