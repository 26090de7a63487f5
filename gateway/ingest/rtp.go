package ingest

import (
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// handleRTP takes one RTP (or SRTP) datagram from admission to the track.
// b is the read buffer: SRTP is decrypted in place and nothing of b is kept.
func (s *Source) handleRTP(b []byte, from netip.AddrPort, now time.Time) {
	if !s.allowed(from.Addr()) {
		s.reject(dropNotAllowed, from, now)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	latched := s.latch.is(from)
	if !latched && s.srtp == nil && !s.latch.mayTake(from, now) {
		s.reject(dropNotLatched, from, now)
		return
	}
	size := len(b) // on the wire, for the bandwidth estimate
	// fresh: the packet would (re-)latch the source.
	plain, fresh, r, ok := s.unprotect(b, from, latched, now)
	if !ok {
		s.refuse(r, from, fresh, now)
		return
	}
	p := &s.scratch
	if !parseRTP(p, plain) {
		s.drop(dropMalformed, from, now)
		return
	}
	ts := s.trackFor(p.PayloadType)
	if ts == nil {
		s.drop(dropPayloadType, from, now)
		return
	}
	if fresh {
		if !s.latch.mayTake(from, now) {
			s.reject(dropNotLatched, from, now)
			return
		}
		s.latchOnto(from, now)
	}
	s.latch.lastGood = now
	if len(p.Payload) == 0 {
		s.met.dropped[dropPadding].Inc() // padding only: statistics, no media
	}
	s.accept(ts, p, plain, size, from, now)
}

// allowed reports whether addr lies in AllowFrom (empty admits all).
func (s *Source) allowed(addr netip.Addr) bool {
	if len(s.cfg.AllowFrom) == 0 {
		return true
	}
	for _, p := range s.cfg.AllowFrom {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// unprotect returns the plaintext of b and whether b comes from a fresh
// sender, one that would (re-)latch the source. Plain RTP is its own
// plaintext, fresh unless from the latched sender. SRTP is authenticated
// and decrypted in place (RFC 3711 §3.3) by srtpState.open.
func (s *Source) unprotect(b []byte, from netip.AddrPort, latched bool, now time.Time) ([]byte, bool, dropReason, bool) {
	if s.srtp == nil {
		return b, !latched, 0, true
	}
	out, fresh, r, ok := s.srtp.open(b, from, latched, latched && s.latch.stale(now), &s.scratch.Header, now)
	if n := s.srtp.rocTrials; n > 0 {
		s.srtp.rocTrials = 0
		s.met.rocTrials.Add(float64(n))
		if ok {
			roc, _ := s.srtp.rocOf(from, s.scratch.Header.SSRC)
			s.log.Info("srtp rollover counter recovered", "remote", from.String(), "roc", roc, "trials", n)
		}
	}
	return out, fresh, r, ok
}

// refuse counts an SRTP packet that did not decrypt; an authentication
// failure from a sender that is not latched is also a rejection.
func (s *Source) refuse(r dropReason, from netip.AddrPort, fresh bool, now time.Time) {
	if r == dropSRTPAuth {
		s.met.authFails.Inc()
		if fresh {
			s.reject(r, from, now)
			return
		}
	}
	s.drop(r, from, now)
}

// parseRTP parses b once into p (pion/rtp validates the CSRC count, the
// extension length and the padding length, RFC 3550 §5.1) and refuses what
// it lets through that is still no media: another version and a packet
// without payload. A packet whose payload is all padding (RFC 3550 §5.1,
// P bit) passes with an empty payload: a sender probing for bandwidth
// sends those, and they count for the estimate and the statistics but
// never reach a track.
func parseRTP(p *rtp.Packet, b []byte) bool {
	if err := p.Unmarshal(b); err != nil {
		return false
	}
	return p.Version == 2 && (len(p.Payload) > 0 || p.Padding)
}

// trackFor returns the track whose payload type is pt, or nil.
func (s *Source) trackFor(pt uint8) *trackState {
	for _, ts := range s.tracks {
		if ts.track.Codec.PayloadType == pt {
			return ts
		}
	}
	return nil
}

// newPacket copies p out of the read buffer into an immutable Packet. The
// payload excludes padding, and the header says so. A header with CSRCs or
// extensions is parsed again from the copy, so it owns its slices too.
func newPacket(ts *trackState, p *rtp.Packet, raw []byte, now time.Time) *stream.Packet {
	pkt := &stream.Packet{Header: p.Header, Arrival: now}
	pkt.CSRC, pkt.Extensions = nil, nil // they share p's arrays, reused for the next packet
	if len(p.CSRC) == 0 && len(p.Extensions) == 0 {
		pkt.Payload = append([]byte(nil), p.Payload...)
	} else {
		data := append([]byte(nil), raw...)
		n, _ := pkt.Header.Unmarshal(data) // raw parsed once already
		pkt.Payload = data[n : n+len(p.Payload) : n+len(p.Payload)]
	}
	pkt.Padding, pkt.PaddingSize = false, 0
	pkt.Keyframe = ts.keyframe(pkt.Payload)
	return pkt
}
