package egress

import (
	"context"
	"errors"
	"fmt"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
)

// ViewerRequest is one WHEP playback request.
type ViewerRequest struct {
	// ID is the session ID; the WHEP handler makes it unguessable. It is
	// the secret of the session URL: logs and events carry only
	// signal.PublicID(ID).
	ID string
	// Stream is the stream to watch. Its source may be offline: the viewer
	// is accepted and gets media once packets flow.
	Stream *stream.Stream
	// Offer is the viewer's SDP offer.
	Offer string
	// Description is Offer as gateway/signal parsed it, or nil for
	// NewViewer to parse Offer itself. NewViewer modifies it (the remote
	// candidates it cannot use are removed).
	Description *sdp.SessionDescription
	// Remote is the HTTP client's address, for logs and events.
	Remote string
}

// NewViewer checks the offer, creates the session and returns it with the
// SDP answer. The answer carries every local candidate (RFC 9725 §4.3.2: the
// server cannot trickle), so NewViewer waits for ICE gathering, bounded by
// ctx. Errors wrap ErrBadOffer, ErrUnacceptable, ErrCapacity or ErrClosed.
//
// viewer.join is published here, when the session is created, so that every
// viewer.join has exactly one viewer.leave, whether or not ICE ever connects.
func (m *Manager) NewViewer(ctx context.Context, req ViewerRequest) (*Viewer, string, error) {
	if req.Stream == nil {
		return nil, "", fmt.Errorf("%w: no stream", ErrUnacceptable)
	}
	o, err := m.checkRequestOffer(req)
	if err != nil {
		return nil, "", err
	}
	plans, err := m.planTracks(req.Stream, o)
	if err != nil {
		return nil, "", err
	}
	sm := m.cfg.Metrics.forStream(req.Stream.Name)
	if err := m.reserve(req.Stream, sm); err != nil {
		releasePlans(plans)
		return nil, "", err
	}
	pc, err := m.api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
	if err != nil {
		m.unreserve(req.Stream, sm)
		releasePlans(plans)
		return nil, "", fmt.Errorf("egress: new peer connection: %w", err)
	}
	v := newViewer(m, req, pc, o, sm, plans) // from here its teardown releases the plans
	if err := m.register(v); err != nil {
		v.Close()
		return nil, "", err
	}
	answer, err := v.negotiate(ctx, plans)
	if err != nil {
		v.Close()
		return nil, "", err
	}
	if err := v.start(plans); err != nil {
		v.Close()
		return nil, "", err
	}
	for _, p := range plans {
		if p.mismatch {
			sm.profileMismatch.Inc()
			v.log.Info("viewer did not offer the source's H.264 profile; passing it through", "mid", p.mid)
		}
	}
	return v, answer, nil
}

// checkRequestOffer checks the request's offer: the description the
// handler parsed when there is one, so that the offer is parsed only once
// before pion's own parse, else Offer.
func (m *Manager) checkRequestOffer(req ViewerRequest) (*offer, error) {
	if req.Description == nil {
		return parseOffer(req.Offer, m.policy)
	}
	if len(req.Offer) > maxOfferBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadOffer, len(req.Offer))
	}
	return checkOffer(req.Description, m.policy)
}

// planTracks plans every stream track the offer has an m-section for. On
// error nothing stays acquired.
func (m *Manager) planTracks(s *stream.Stream, o *offer) ([]*trackPlan, error) {
	var plans []*trackPlan
	for _, pair := range []struct {
		track *stream.Track
		media *offerMedia
	}{{s.Video, o.video}, {s.Audio, o.audio}} {
		if pair.track == nil || pair.media == nil {
			continue
		}
		p, err := m.planTrack(s, pair.track, pair.media)
		if err != nil {
			releasePlans(plans)
			return nil, err
		}
		plans = append(plans, p)
	}
	if len(plans) == 0 {
		return nil, fmt.Errorf("%w: the offer has no m-line for the stream's tracks", ErrUnacceptable)
	}
	return plans, nil
}

// releasePlans gives back the renditions the plans acquired.
func releasePlans(plans []*trackPlan) {
	for _, p := range plans {
		if p.release != nil {
			p.release()
			p.release = nil
		}
	}
}

// negotiate adds one send-only transceiver per plan, applies the offer and
// returns the answer once gathering is complete.
func (v *Viewer) negotiate(ctx context.Context, plans []*trackPlan) (string, error) {
	transceivers := make([]*webrtc.RTPTransceiver, len(plans))
	for i, p := range plans {
		t := newOutTrack(p, v.stream.Name)
		tr, err := v.pc.AddTransceiverFromTrack(t, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			return "", fmt.Errorf("egress: add transceiver: %w", err)
		}
		transceivers[i] = tr
		v.tracks = append(v.tracks, t)
	}
	if err := v.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: v.offerSDP}); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	for i, tr := range transceivers {
		if tr.Mid() != plans[i].mid {
			return "", fmt.Errorf("%w: %s m-line %q not matched", ErrUnacceptable, plans[i].src.Kind, plans[i].mid)
		}
		if err := tr.SetCodecPreferences(plans[i].prefer); err != nil {
			return "", fmt.Errorf("%w: %s codecs: %v", ErrUnacceptable, plans[i].src.Kind, err)
		}
	}
	return v.answer(ctx)
}

// answer creates and applies the local answer and waits for gathering.
func (v *Viewer) answer(ctx context.Context) (string, error) {
	answer, err := v.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnacceptable, err)
	}
	gathered := webrtc.GatheringCompletePromise(v.pc)
	if err := v.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnacceptable, err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("egress: gathering candidates: %w", ctx.Err())
	case <-v.stopCh:
		return "", ErrClosed
	}
	local := v.pc.LocalDescription()
	if local == nil {
		return "", errors.New("egress: no local description")
	}
	return local.SDP, nil
}
