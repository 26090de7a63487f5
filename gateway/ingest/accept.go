package ingest

import (
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// accept runs a parsed packet from the latched sender through SSRC
// admission, sequence validation and duplicate filtering (RFC 3550 A.1),
// feeds the bandwidth estimator, and writes what survives to its track; a
// padding-only packet (empty payload) counts in the statistics and the
// estimate only. size is the datagram's size on the wire. Called with s.mu
// held.
func (s *Source) accept(ts *trackState, p *rtp.Packet, raw []byte, size int, from netip.AddrPort, now time.Time) {
	h := &p.Header
	// A new SSRC of the latched sender is the same camera restarted: it
	// takes the track over once valid, at most once per RelatchAfter
	// (trackState.maySwitch); another address never reaches here.
	if ts.hasSSRC && h.SSRC != ts.ssrc && !ts.maySwitch(now, s.cfg.RelatchAfter) {
		s.drop(dropSSRC, from, now)
		return
	}
	rs := s.ssrcs.find(h.SSRC)
	if rs == nil {
		rs = s.ssrcs.slot(s.tracks)
		rs.start(h.SSRC, h.SequenceNumber, ts.track.Codec.ClockRate, now)
	}
	rs.lastSeen = now
	verdict := rs.update(h.SequenceNumber)
	if verdict != seqDuplicate && s.remb != nil && ts == s.tracks[0] {
		s.remb.feed(h, ts.track.Codec.ClockRate, size, now)
	}
	padding := len(p.Payload) == 0
	switch verdict {
	case seqDuplicate:
		s.drop(dropDuplicate, from, now)
	case seqHold:
		if rs.held != nil {
			s.drop(dropSequence, from, now)
			rs.held = nil
		}
		if !padding {
			rs.held = newPacket(ts, p, raw, now)
		}
	case seqValid:
		s.releaseHeld(rs, h.SequenceNumber, from, now)
		rs.updateJitter(s.rtpClock(now, rs.clockRate), h.Timestamp)
		if ts.hasSSRC && ts.ssrc != h.SSRC {
			s.switchSSRC(ts, h.SSRC, from, now)
		}
		ts.ssrc, ts.hasSSRC = h.SSRC, true
		if padding {
			ts.lastSeen = now
			return
		}
		s.deliver(ts, newPacket(ts, p, raw, now), now)
	}
}

// switchSSRC records that the latched sender's new SSRC took over ts: a
// camera or encoder that restarted. Viewers' outbound rewriting keeps their
// sequence numbers continuous and waits for the new SSRC's first keyframe,
// which is asked for at once. Called with s.mu held.
func (s *Source) switchSSRC(ts *trackState, ssrc uint32, from netip.AddrPort, now time.Time) {
	ts.switchedAt = now
	s.met.ssrcSwitches.Inc()
	s.log.Info("sender restarted with a new SSRC", "remote", from.String(),
		"kind", ts.track.Kind.String(), "ssrc", ssrc, "previous", ts.ssrc)
	if ts == s.video {
		s.kf.pending = true // sent by deliver, now that the new SSRC is known
	}
}

// releaseHeld delivers the packet held on probation or after a sequence
// jump when seq confirms it (it directly precedes seq), else drops it.
func (s *Source) releaseHeld(rs *rxStats, seq uint16, from netip.AddrPort, now time.Time) {
	held := rs.held
	if held == nil {
		return
	}
	rs.held = nil
	ts := s.trackFor(held.PayloadType)
	if held.SequenceNumber != seq-1 || ts == nil {
		s.drop(dropSequence, from, now)
		return
	}
	s.deliver(ts, held, now)
}

// deliver writes pkt to its track (never blocking), counts it, marks the
// stream up on its first packet and sends a keyframe request that waited
// for the video SSRC. A video payload the codec cannot carry is dropped
// here, in sequence order (payloadcheck.go).
func (s *Source) deliver(ts *trackState, pkt *stream.Packet, now time.Time) {
	ts.lastSeen = now
	if r, bad := ts.check.refuse(pkt); bad {
		s.drop(r, s.latch.addr, now)
		return
	}
	ts.track.Write(pkt)
	s.met.packets.Inc()
	s.met.bytes.Add(float64(len(pkt.Payload)))
	if !s.up {
		s.up = true
		s.st.SetUp(true, map[string]string{"remote": s.latch.addr.String()})
	}
	if s.kf.pending && ts == s.video {
		s.sendKeyframeRequest(now)
	}
}

// rtpClock converts now to units of an RTP clock of rate Hz, counted from
// the source's epoch, for the jitter estimate (RFC 3550 A.8).
func (s *Source) rtpClock(now time.Time, rate uint32) uint32 {
	d := now.Sub(s.epoch)
	sec, frac := uint64(d/time.Second), uint64(d%time.Second)
	return uint32(sec*uint64(rate) + frac*uint64(rate)/uint64(time.Second))
}
