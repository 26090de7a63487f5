package outbound

import (
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/stream"
)

// Report sends the track's Sender Report and SDES CNAME through w once a
// packet went out (RFC 3550 §6.4.1, §6.5.1); before, it sends nothing and
// returns nil. clock is the source's, or nil; every track of one session
// shares cname, which tells the receiver to synchronise them.
func (t *Track) Report(w RTCPWriter, clock *stream.SenderClock, cname string, now time.Time) error {
	if !t.rw.Started() {
		return nil
	}
	ntp, rtpTS := t.rw.ReportTimes(clock, now)
	return w.WriteRTCP([]rtcp.Packet{
		&rtcp.SenderReport{
			SSRC: t.SSRC, NTPTime: ntp, RTPTime: rtpTS,
			PacketCount: t.packets, OctetCount: t.octets,
		},
		t.sdes(cname),
	})
}

// Bye sends the compound packet that ends the track's stream once a packet
// went out: an empty RR, the SDES CNAME and a BYE (RFC 3550 §6.6).
func (t *Track) Bye(w RTCPWriter, cname string) error {
	if !t.rw.Started() {
		return nil
	}
	return w.WriteRTCP([]rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: t.SSRC},
		t.sdes(cname),
		&rtcp.Goodbye{Sources: []uint32{t.SSRC}},
	})
}

func (t *Track) sdes(cname string) *rtcp.SourceDescription {
	return &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: t.SSRC,
		Items:  []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: cname}},
	}}}
}

// ReportTimes returns the NTP and RTP timestamps of a Sender Report sent at
// now for the stream r writes (RFC 3550 §6.4.1). With a clock from the
// source currently mapped, it extrapolates the source's own NTP↔RTP pair to
// now and translates its RTP time through r's timestamp offset, so every
// track of the stream keeps the source's audio/video alignment. Otherwise
// (clock nil, from another source, or no mapping yet) it pairs the wall
// clock with the newest timestamp sent, advanced by the time since.
func (r *Rewriter) ReportTimes(clock *stream.SenderClock, now time.Time) (ntp uint64, rtp uint32) {
	if clock != nil && r.synced && clock.SSRC == r.srcSSRC {
		d := max(0, now.Sub(clock.Received))
		return clock.NTPTime + ntpDuration(d), clock.RTPTime + r.tsOffset + ticks(d, r.ClockRate)
	}
	return stream.NTPTime(now), r.outTS + ticks(now.Sub(r.sentAt), r.ClockRate)
}

// ntpDuration is d in NTP's 32.32 fixed point.
func ntpDuration(d time.Duration) uint64 {
	return uint64(d/time.Second)<<32 | uint64(d%time.Second)<<32/uint64(time.Second)
}
