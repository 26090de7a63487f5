package forward

import (
	"errors"
	"io"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/outbound"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/signal/jsep"
	"mediagate.dev/mediagate/gateway/stream"
)

// readRTCP reads the remote's RTCP for one sender until the
// PeerConnection closes (pion's NACK responder sees it on the way): PLI
// and FIR ask the stream's source for a keyframe, REMB goes to the REMB
// router as one more consumer's demand, receiver reports give the RTT.
func (s *session) readRTCP(snd *sender) {
	defer s.readers.Done()
	fb := outbound.Feedback{
		Keyframe: snd.requestKeyframe,
		REMB: func(p *rtcp.ReceiverEstimatedMaximumBitrate, _ time.Time) {
			s.f.ser.remb.Set(float64(p.Bitrate))
			if s.f.cfg.OnREMB != nil {
				s.f.cfg.OnREMB(s, float64(p.Bitrate))
			}
		},
		Reports: func(p *rtcp.ReceiverReport) { s.rtt(p, snd, time.Now()) },
	}
	for {
		pkts, _, err := snd.rtp.ReadRTCP()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				return
			}
			select {
			case <-s.closing:
				return
			case <-time.After(10 * time.Millisecond): // a read error that repeats must not spin
			}
			continue
		}
		now := time.Now()
		for _, p := range pkts {
			fb.Handle(p, now)
		}
	}
}

// rtt reads the round-trip time from a report block about snd's SSRC
// (RFC 3550 §6.4.1: now - LSR - DLSR, in 1/65536 s).
func (s *session) rtt(p *rtcp.ReceiverReport, snd *sender, now time.Time) {
	b := snd.local.bound.Load()
	if b == nil {
		return
	}
	for _, r := range p.Reports {
		if r.SSRC != b.ssrc || r.LastSenderReport == 0 {
			continue
		}
		mid := uint32(stream.NTPTime(now) >> 16)
		if d := mid - r.LastSenderReport - r.Delay; int32(d) >= 0 {
			s.f.ser.rtt.Set(float64(d) / 65536)
		}
	}
}

// sendCandidates trickles local candidates to the session by PATCH with
// If-Match (RFC 9725 §4.3.1). A server that does not take them is left
// alone: ICE still finds our address from our checks (peer-reflexive).
func (s *session) sendCandidates(cands []string) {
	if s.res == nil {
		return
	}
	frag, ok := s.localFrag(cands)
	if !ok {
		return
	}
	if _, err := s.f.cfg.Client.Patch(s.f.ctx, s.res, frag.String(), false); err != nil {
		s.f.log.Debug("forward trickle refused", "err", err)
	}
}

// localFrag builds a fragment of the local description's first m-section
// (the bundle's) with its ICE credentials and cands.
func (s *session) localFrag(cands []string) (signal.Frag, bool) {
	local := s.pc.LocalDescription()
	if local == nil {
		return signal.Frag{}, false
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(local.SDP); err != nil || len(sd.MediaDescriptions) == 0 {
		return signal.Frag{}, false
	}
	ufrag, pwd, _ := jsep.ICE(&sd)
	md := sd.MediaDescriptions[0]
	mid, _ := md.Attribute("mid")
	return signal.Frag{Ufrag: ufrag, Pwd: pwd, Media: []signal.FragMedia{{
		Line: md.MediaName.String(), Mid: mid, Candidates: cands,
	}}}, true
}

// restartICE restarts ICE (RFC 8445 §9) through the server (RFC 9725
// §4.3.3): new local credentials and candidates (with the TURN servers of
// the last answer's Link headers), PATCH with If-Match "*", the server's
// new credentials and candidates applied. It reports whether it worked.
func (s *session) restartICE() bool {
	s.f.log.Info("forward ICE restart")
	if len(s.f.iceServers) > 0 {
		cfg := s.pc.GetConfiguration()
		cfg.ICEServers = s.f.iceServers
		_ = s.pc.SetConfiguration(cfg)
	}
	offer, err := s.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		return s.restartFailed(err)
	}
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return s.restartFailed(err)
	}
	if s.waitGathering(gathered) != nil {
		return false
	}
	_, _, cands, err := jsep.LocalICE(s.pc.LocalDescription().SDP)
	if err != nil {
		return s.restartFailed(err)
	}
	frag, _ := s.localFrag(cands)
	reply, err := s.f.cfg.Client.Patch(s.f.ctx, s.res, frag.String(), true)
	if err != nil {
		return s.restartFailed(err)
	}
	remote, err := signal.ParseSDPFrag(reply)
	if err != nil {
		return s.restartFailed(err)
	}
	var rc []string
	for _, c := range remote.Candidates() {
		rc = append(rc, c.Candidate)
	}
	answer, err := jsep.RestartOffer(s.answer, remote.Ufrag, remote.Pwd, rc)
	if err != nil {
		return s.restartFailed(err)
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return s.restartFailed(err)
	}
	s.answer = answer
	return true
}

func (s *session) restartFailed(err error) bool {
	s.f.log.Warn("forward ICE restart failed", "err", err)
	return false
}
