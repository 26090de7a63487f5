package ingest

import (
	"net/netip"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/config"
)

// sendReceiverReport sends a receiver report with one block per track
// whose SSRC has passed probation (RFC 3550 §6.4.2), followed by any
// feedback (a REMB), and updates the loss and jitter metrics from the same
// numbers. It reports whether the compound went out. Called with s.mu held.
func (s *Source) sendReceiverReport(now time.Time, feedback ...rtcp.Packet) bool {
	reports := make([]rtcp.ReceptionReport, 0, len(s.tracks))
	for _, ts := range s.tracks {
		if !ts.hasSSRC {
			continue
		}
		rs := s.ssrcs.find(ts.ssrc)
		if rs == nil || rs.probation > 0 {
			continue
		}
		rr := rs.report(now)
		reports = append(reports, rr)
		s.met.lost.Add(float64(rs.newlyLost(int64(rr.TotalLost))))
		ts.jitter.Set(rs.jitterSeconds())
	}
	s.lastRR = now
	if !s.sendRTCP(s.compound(reports, feedback...)) {
		return false
	}
	s.met.rr.Inc()
	return true
}

// compound builds an RTCP compound packet the way RFC 3550 §6.1 requires:
// a receiver report first, then an SDES with our CNAME, then any feedback
// messages (RFC 4585 §3.1).
func (s *Source) compound(reports []rtcp.ReceptionReport, feedback ...rtcp.Packet) []rtcp.Packet {
	pkts := []rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: s.ourSSRC, Reports: reports},
		&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
			Source: s.ourSSRC,
			Items:  []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: s.cname}},
		}}},
	}
	return append(pkts, feedback...)
}

// sendRTCP marshals pkts, protects them as SRTCP when the source uses SRTP,
// and sends them to the latched sender (RFC 4961: from the socket the
// sender sends to). It reports whether the datagram went out. Called with
// s.mu held.
func (s *Source) sendRTCP(pkts []rtcp.Packet) bool {
	dst, out := s.rtcpDest()
	if out == nil {
		return false
	}
	raw, err := rtcp.Marshal(pkts)
	if err == nil && s.srtp != nil {
		raw, err = s.srtp.encryptRTCP(raw)
	}
	if err == nil {
		_, err = out.WriteToUDPAddrPort(raw, dst)
	}
	if err != nil {
		if s.sendErrGate.allow(time.Since(s.epoch), logEvery) {
			s.log.Warn("sending RTCP to the sender failed", "remote", dst.String(), "err", err)
		}
		return false
	}
	return true
}

// rtcpDest returns where RTCP for the latched sender goes and the socket
// to send it from. Muxed: the sender's own address on the RTP socket. On a
// separate RTCP port: the address the sender's RTCP comes from, or until
// it has sent any, the port after its RTP port (RFC 3550 §11).
func (s *Source) rtcpDest() (netip.AddrPort, datagramWriter) {
	a := s.latch.addr
	switch {
	case !a.IsValid():
		return netip.AddrPort{}, nil
	case s.cfg.RTCPListen == "":
		return a, s.rtpOut
	case s.rtcpRemote.IsValid():
		return s.rtcpRemote, s.rtcpOut
	default:
		return netip.AddrPortFrom(a.Addr(), a.Port()+1), s.rtcpOut
	}
}

// keyframeState throttles and remembers keyframe requests. Guarded by
// Source.mu.
type keyframeState struct {
	last    time.Time // when the last request went out
	sent    bool      // whether any request went out
	pending bool      // a request waits for the sender and its video SSRC
	join    bool      // the pending request is a joining viewer's
	firSeq  uint8     // FIR command sequence number (RFC 5104 §4.3.1.1)
}

// RequestKeyframe asks the latched sender for a keyframe with a PLI (RFC
// 4585 §6.3.1) or a FIR (RFC 5104 §4.3.1) for its video SSRC, at most once
// per KeyframeInterval: requests within the interval are coalesced into
// the one already sent. Before the source knows its sender and video SSRC
// the request is remembered and sent as soon as it does. It implements
// stream.KeyframeRequester and never blocks on the network.
func (s *Source) RequestKeyframe() {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.video == nil {
		return
	}
	if s.kf.sent && now.Sub(s.kf.last) < s.cfg.KeyframeInterval {
		return
	}
	s.kf.pending = true
	s.sendKeyframeRequest(now)
}

// RequestJoinKeyframe is RequestKeyframe for a viewer that is joining: the
// request goes out at once, however recently the last one did, and the
// next regular request is spaced from it. The stream bounds these
// (stream.Stream.RequestKeyframeForJoin); they are counted in
// mediagate_ingest_join_keyframe_requests_total as well. It implements
// stream.JoinKeyframeRequester.
func (s *Source) RequestJoinKeyframe() {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.video == nil {
		return
	}
	s.kf.pending, s.kf.join = true, true
	s.sendKeyframeRequest(now)
}

// sendKeyframeRequest sends the pending request if the sender and its video
// SSRC are known. Called with s.mu held.
func (s *Source) sendKeyframeRequest(now time.Time) {
	v := s.video
	if v == nil || !v.hasSSRC || !s.latch.addr.IsValid() {
		return
	}
	var fb rtcp.Packet = &rtcp.PictureLossIndication{SenderSSRC: s.ourSSRC, MediaSSRC: v.ssrc}
	counter := s.met.pli
	if s.cfg.KeyframeRequest == config.KeyframeFIR {
		// RFC 5104 §4.3.1.2: the media source SSRC field is 0; the target
		// is in the FCI entry, with a sequence number new for each request.
		fb = &rtcp.FullIntraRequest{SenderSSRC: s.ourSSRC,
			FIR: []rtcp.FIREntry{{SSRC: v.ssrc, SequenceNumber: s.kf.firSeq}}}
		s.kf.firSeq++
		counter = s.met.fir
	}
	join := s.kf.join
	s.kf.pending, s.kf.join, s.kf.sent, s.kf.last = false, false, true, now
	if s.sendRTCP(s.compound(nil, fb)) {
		counter.Inc()
		if join {
			s.met.joinKeys.Inc()
		}
	}
}
