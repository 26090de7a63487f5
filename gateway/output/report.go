package output

import (
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/stream"
)

// senderReport builds the sender's SR (RFC 3550 §6.4.1) and an SDES CNAME
// (§6.5.1). Every track of one Output shares the CNAME, which tells the
// receiver to synchronise them.
func (s *trackSender) senderReport(cname string, now time.Time) []rtcp.Packet {
	var clock *stream.SenderClock
	if s.track != nil {
		clock = s.track.SenderClock()
	}
	ntp, rtpTS := reportTimes(&s.rw, clock, now)
	return []rtcp.Packet{
		&rtcp.SenderReport{
			SSRC: s.ssrc, NTPTime: ntp, RTPTime: rtpTS,
			PacketCount: s.packets, OctetCount: s.octets,
		},
		s.sdes(cname),
	}
}

// goodbye is the compound packet that ends the sender's stream: an empty
// RR, the SDES CNAME and a BYE (RFC 3550 §6.6).
func (s *trackSender) goodbye(cname string) []rtcp.Packet {
	return []rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: s.ssrc},
		s.sdes(cname),
		&rtcp.Goodbye{Sources: []uint32{s.ssrc}},
	}
}

func (s *trackSender) sdes(cname string) *rtcp.SourceDescription {
	return &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: s.ssrc,
		Items:  []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: cname}},
	}}}
}

// reportTimes is the NTP↔RTP pair of a Sender Report. With a Sender Report
// from the current source, it extrapolates the source's own mapping to now
// and translates its RTP time through the sender's timestamp offset, so
// the tracks keep the source's audio/video alignment. Before that it pairs
// the wall clock with the newest timestamp sent, advanced by the time
// since.
func reportTimes(rw *rewriter, clock *stream.SenderClock, now time.Time) (uint64, uint32) {
	if clock != nil && rw.synced && clock.SSRC == rw.srcSSRC {
		d := max(0, now.Sub(clock.Received))
		return clock.NTPTime + ntpDuration(d), clock.RTPTime + rw.tsOffset + ticks(d, rw.clockRate)
	}
	return ntpTime(now), rw.outTS + ticks(now.Sub(rw.sentAt), rw.clockRate)
}

// ntpEpochOffset is the seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// ntpTime is t as a 64-bit NTP timestamp (RFC 5905 §6).
func ntpTime(t time.Time) uint64 {
	return uint64(t.Unix()+ntpEpochOffset)<<32 | uint64(t.Nanosecond())<<32/uint64(time.Second)
}

// ntpDuration is d in NTP's 32.32 fixed point.
func ntpDuration(d time.Duration) uint64 {
	return uint64(d/time.Second)<<32 | uint64(d%time.Second)<<32/uint64(time.Second)
}
