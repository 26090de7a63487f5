package egress

import (
	"context"
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/signal/jsep"
)

// AddCandidate adds one trickled remote candidate (RFC 8840), given as the
// attribute value without "a=" ("candidate:1 1 udp 2122260223 192.0.2.7
// 50000 typ host"). Candidates the session cannot use, and those beyond the
// session's cap of 64, are discarded silently (RFC 9725 §4.3.2); an empty
// line (end of candidates) is accepted. Only a malformed line is an error,
// wrapping ErrBadOffer. Every candidate joins the bundled transport, so mid
// is not needed.
func (v *Viewer) AddCandidate(candidate, mid string) error {
	if strings.TrimSpace(candidate) == "" {
		return nil
	}
	value, keep, err := v.m.policy.keep(candidate)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.isStopping() {
		return ErrClosed
	}
	if !keep || v.candidates >= maxRemoteCandidates {
		return nil
	}
	v.candidates++
	bundleMid := v.bundleMid
	if err := v.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: "candidate:" + value, SDPMid: &bundleMid}); err != nil {
		v.log.Debug("remote candidate ignored", "mid", mid, "err", err)
	}
	return nil
}

// Restart performs an ICE restart (RFC 8445 §9, RFC 9725 §4.3.3): it
// rebuilds the remote offer from the original with the new ufrag and pwd and
// the given candidates, renegotiates, and returns the gateway's new
// credentials and all of its candidates. A request that fails its checks
// (malformed credentials or candidates, unchanged credentials) leaves the
// session as it was. Once pion has accepted the new offer the old ICE
// session is gone; if gathering then outlives ctx, the session carries on
// gathering and the error says so.
func (v *Viewer) Restart(ctx context.Context, ufrag, pwd string, candidates []string) (string, string, []string, error) {
	if err := validICECredentials(ufrag, pwd); err != nil {
		return "", "", nil, err
	}
	kept := make([]string, 0, len(candidates))
	for _, c := range candidates {
		value, keep, err := v.m.policy.keep(c)
		if err != nil {
			return "", "", nil, err
		}
		if keep && len(kept) < maxRemoteCandidates {
			kept = append(kept, value)
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.isStopping() {
		return "", "", nil, ErrClosed
	}
	if ufrag == v.remoteUfrag && pwd == v.remotePwd {
		return "", "", nil, fmt.Errorf("%w: an ICE restart needs new credentials", ErrBadOffer)
	}
	offer, err := jsep.RestartOffer(v.offerSDP, ufrag, pwd, kept)
	if err != nil {
		return "", "", nil, err
	}
	if err := v.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", "", nil, fmt.Errorf("%w: restart: %v", ErrUnacceptable, err)
	}
	v.offerSDP, v.remoteUfrag, v.remotePwd, v.candidates = offer, ufrag, pwd, len(kept)
	answer, err := v.answer(ctx)
	if err != nil {
		return "", "", nil, err
	}
	lufrag, lpwd, local, err := jsep.LocalICE(answer)
	if err != nil {
		return "", "", nil, err
	}
	v.log.Info("ice restart", "candidates", len(kept))
	return lufrag, lpwd, local, nil
}
