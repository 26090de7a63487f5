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
	ntp, rtpTS := s.rw.ReportTimes(clock, now)
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
