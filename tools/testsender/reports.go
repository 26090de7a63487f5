package main

import (
	"context"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/transcoder"
)

// reportInterval is how often a sender report goes out. RFC 3550 §6.2
// computes an interval from the session's bandwidth; one session with one
// sender and one receiver at video rates ends up at its 5 s minimum, which
// RFC 3550 §6.2 lets be scaled down; one second is what cameras use.
const reportInterval = time.Second

// cname is the sender's canonical name in its SDES (RFC 3550 §6.5.1).
const cname = "testsender"

// reportLoop sends a sender report every reportInterval until ctx ends.
func (s *sender) reportLoop(ctx context.Context) {
	tick := time.NewTicker(reportInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			s.tr.sendRTCP(s.report(now))
		}
	}
}

// report builds a compound of a sender report (RFC 3550 §6.4.1) and an
// SDES with the CNAME (RFC 3550 §6.1 requires both).
func (s *sender) report(now time.Time) []rtcp.Packet {
	elapsed := now.Sub(s.start)
	return []rtcp.Packet{
		&rtcp.SenderReport{
			SSRC: s.ssrc, NTPTime: ntpTime(now),
			RTPTime:     s.pk.rtpTime(pts(elapsed)),
			PacketCount: uint32(s.tr.packets.Load()), OctetCount: uint32(s.tr.octets.Load()),
		},
		&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
			Source: s.ssrc, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: cname}},
		}}},
	}
}

// goodbye is the last compound: a report and a BYE (RFC 3550 §6.6), so the
// receiver can let the sender go without waiting for a timeout.
func (s *sender) goodbye(now time.Time) []rtcp.Packet {
	return append(s.report(now), &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
}

// ntpEpochOffset is the seconds from 1900 (NTP's epoch) to 1970.
const ntpEpochOffset = 2208988800

// ntpTime is t as a 64-bit NTP timestamp (RFC 3550 §4).
func ntpTime(t time.Time) uint64 {
	sec := uint64(t.Unix()) + ntpEpochOffset
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return sec<<32 | frac
}

// pts is elapsed in the 90 kHz video clock (RFC 3551 §5), wrapping as RTP
// timestamps do.
func pts(elapsed time.Duration) uint32 {
	const rate = transcoder.VideoClockRate
	sec, frac := int64(elapsed/time.Second), int64(elapsed%time.Second)
	return uint32(sec*rate + frac*rate/int64(time.Second))
}
