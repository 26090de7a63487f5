package ingest

import (
	"net/netip"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/stream"
)

// minRTCP is the size of an RTCP header (RFC 3550 §6.4).
const minRTCP = 8

// handleRTCP takes one RTCP (or SRTCP) compound from the sender: Sender
// Reports feed the tracks' sender clocks and the LSR/DLSR of our receiver
// reports; BYE is logged and otherwise ignored, so a spoofed one cannot end
// the stream. RTCP never latches the source.
func (s *Source) handleRTCP(b []byte, from netip.AddrPort, rtcpOnly bool, now time.Time) {
	if !s.allowed(from.Addr()) {
		s.reject(dropNotAllowed, from, now)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.latch.addr.IsValid() {
		// No sender yet: RTCP cannot latch, and refuses no one (ffmpeg
		// sends its first Sender Report before its first RTP packet).
		s.met.dropped[dropRTCPUnlatched].Inc()
		return
	}
	if !s.rtcpFromSender(from, rtcpOnly) {
		s.reject(dropNotLatched, from, now)
		return
	}
	plain := b
	if s.srtp != nil {
		var r dropReason
		var ok bool
		if plain, r, ok = s.srtp.decryptRTCP(b); !ok {
			if r == dropSRTPAuth {
				s.met.authFails.Inc()
			}
			s.drop(r, from, now)
			return
		}
	}
	pkts, ok := parseRTCP(plain)
	if !ok {
		s.drop(dropRTCPMalformed, from, now)
		return
	}
	if rtcpOnly {
		s.rtcpRemote = from
	}
	for _, p := range pkts {
		s.onRTCP(p, from, now)
	}
}

// rtcpFromSender reports whether RTCP from from belongs to the latched
// sender: the same host when RTCP has a port of its own (the sender's RTCP
// port is learned from it); on the RTP socket, the latched address itself
// (muxed, RFC 5761) or the port after it on the same host. A sender that
// does not mux sends its RTCP from RTP port + 1 (RFC 3550 §11), and some,
// such as ffmpeg's `rtp://…?rtcpport=`, send it to the RTP port from there.
func (s *Source) rtcpFromSender(from netip.AddrPort, rtcpOnly bool) bool {
	a := s.latch.addr
	if !a.IsValid() {
		return false
	}
	if rtcpOnly {
		return from.Addr() == a.Addr()
	}
	return from == a || (from.Addr() == a.Addr() && a.Port() < 0xffff && from.Port() == a.Port()+1)
}

// parseRTCP parses a compound packet and applies the validity check of RFC
// 3550 §6.1 and A.2: it must start with an SR or RR.
func parseRTCP(b []byte) ([]rtcp.Packet, bool) {
	if len(b) < minRTCP {
		return nil, false
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil || len(pkts) == 0 {
		return nil, false
	}
	switch pkts[0].(type) {
	case *rtcp.SenderReport, *rtcp.ReceiverReport:
		return pkts, true
	}
	return nil, false
}

func (s *Source) onRTCP(p rtcp.Packet, from netip.AddrPort, now time.Time) {
	switch p := p.(type) {
	case *rtcp.SenderReport:
		s.onSenderReport(p, now)
	case *rtcp.Goodbye:
		s.log.Debug("RTCP BYE from the sender ignored", "remote", from.String(), "ssrcs", p.Sources)
	}
}

// onSenderReport records an SR (RFC 3550 §6.4.1): its NTP↔RTP mapping on
// the track the SSRC feeds, and its time for the LSR and DLSR fields.
func (s *Source) onSenderReport(sr *rtcp.SenderReport, now time.Time) {
	for _, ts := range s.tracks {
		if ts.hasSSRC && ts.ssrc == sr.SSRC {
			ts.track.SetSenderClock(stream.SenderClock{
				SSRC: sr.SSRC, NTPTime: sr.NTPTime, RTPTime: sr.RTPTime, Received: now,
			})
		}
	}
	if rs := s.ssrcs.find(sr.SSRC); rs != nil {
		rs.lastSR = uint32(sr.NTPTime >> 16)
		rs.lastSRAt = now
	}
}
