package whip

import (
	"context"
	"fmt"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/signal/jsep"
)

// OfferRequest is a session in which the gateway offers to receive a
// stream: a WHEP client pulling it from another server (gateway/forward).
// The media path is a publisher's, only the offer/answer roles are
// swapped.
type OfferRequest struct {
	// ID names the session in logs.
	ID string
	// Target is the stream the media goes into; its tracks say which
	// kinds and codecs are offered.
	Target Target
	// Remote names the server, for logs and events (no secrets: a URL
	// without query or user info).
	Remote string
	// Source labels the stream.up and stream.down events ("whep").
	Source string
	// ICEServers are the STUN and TURN servers ICE may use.
	ICEServers []webrtc.ICEServer
}

// Offer creates a receiving session whose offer the caller sends to a
// server: a recvonly m-section for each track the stream has, with every
// local candidate (Offer waits for ICE gathering, bounded by ctx). Accept
// applies the server's answer and starts the session; until then the
// stream's publisher slot is taken. Errors wrap ErrPublishing, ErrNoStream,
// ErrUnacceptable or ErrClosed.
func (m *Manager) Offer(ctx context.Context, req OfferRequest) (*Publisher, string, error) {
	st := req.Target.Stream
	if st == nil {
		return nil, "", ErrNoStream
	}
	if err := m.reserve(st.Name); err != nil {
		return nil, "", err
	}
	p, offer, err := m.openOffer(ctx, req)
	if err != nil {
		m.release(st.Name, nil)
		return nil, "", err
	}
	return p, offer, nil
}

// openOffer builds the PeerConnection and the publisher and creates the
// offer.
func (m *Manager) openOffer(ctx context.Context, req OfferRequest) (*Publisher, string, error) {
	st := req.Target.Stream
	api, err := newAPI(m.cfg.SettingEngine, st)
	if err != nil {
		return nil, "", err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{
		ICEServers:    req.ICEServers,
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
	if err != nil {
		return nil, "", fmt.Errorf("whip: new peer connection: %w", err)
	}
	p := newPublisher(m, PublishRequest{ID: req.ID, Target: req.Target, Remote: req.Remote}, pc)
	if req.Source != "" {
		p.source = req.Source
		p.log = p.log.With("source", req.Source)
	}
	offer, err := p.makeOffer(ctx)
	if err != nil {
		p.end(reasonAborted)
		<-p.Done()
		return nil, "", err
	}
	return p, offer, nil
}

// makeOffer adds the receiving transceivers and creates and applies the
// offer, with every local candidate.
func (p *Publisher) makeOffer(ctx context.Context) (string, error) {
	recv := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}
	kinds := []webrtc.RTPCodecType{}
	if p.st.Video != nil {
		kinds = append(kinds, webrtc.RTPCodecTypeVideo)
	}
	if p.st.Audio != nil {
		kinds = append(kinds, webrtc.RTPCodecTypeAudio)
	}
	for _, k := range kinds {
		if _, err := p.pc.AddTransceiverFromKind(k, recv); err != nil {
			return "", fmt.Errorf("%w: %s transceiver: %v", ErrUnacceptable, k, err)
		}
	}
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnacceptable, err)
	}
	sdp, err := p.applyLocal(ctx, offer)
	if err != nil {
		return "", err
	}
	for _, tr := range p.pc.GetTransceivers() {
		if tr.Mid() != "" {
			p.bundleMid = tr.Mid()
			break
		}
	}
	return sdp, nil
}

// Accept applies the server's answer to a session from Offer and starts
// it: media then flows into the stream as from a publisher, with REMB and
// PLI sent back. On error the session is ended.
func (p *Publisher) Accept(answer string) error {
	sd, err := parseOffer(answer)
	if err == nil {
		err = p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
	}
	if err != nil {
		p.Abort()
		return fmt.Errorf("%w: answer: %v", ErrUnacceptable, err)
	}
	p.mu.Lock()
	p.remoteUfrag, p.remotePwd, _ = jsep.ICE(sd)
	p.mu.Unlock()
	p.m.mu.Lock()
	closed := p.m.closed
	if !closed {
		p.m.active[p.st.Name] = p
	}
	p.m.mu.Unlock()
	if closed {
		p.end("shutdown")
		<-p.Done()
		return ErrClosed
	}
	p.start()
	return nil
}

// Abort ends a session from Offer whose answer never came, and frees the
// stream's publisher slot.
func (p *Publisher) Abort() {
	p.end(reasonAborted)
	<-p.Done()
	p.m.release(p.st.Name, nil)
}
