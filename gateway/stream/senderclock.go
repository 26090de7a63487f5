package stream

import "time"

// SenderClock is a source's NTP↔RTP mapping, taken from its last RTCP Sender
// Report (RFC 3550 §6.4.1). Subscribers derive the Sender Reports they send
// from it through Rewriter.ReportTimes, so lip sync survives the gateway.
type SenderClock struct {
	SSRC     uint32
	NTPTime  uint64 // 64-bit NTP timestamp of the report
	RTPTime  uint32 // RTP timestamp that corresponds to NTPTime
	Received time.Time
}

// ReportTimes returns the NTP and RTP timestamps of a Sender Report sent at
// now for the stream r writes (RFC 3550 §6.4.1). With a clock from the
// source currently mapped, it extrapolates the source's own NTP↔RTP pair to
// now and translates its RTP time through r's timestamp offset, so every
// track of the stream keeps the source's audio/video alignment. Otherwise
// (clock nil, from another source, or no mapping yet) it pairs the wall
// clock with the newest timestamp sent, advanced by the time since.
func (r *Rewriter) ReportTimes(clock *SenderClock, now time.Time) (ntp uint64, rtp uint32) {
	if clock != nil && r.synced && clock.SSRC == r.srcSSRC {
		d := max(0, now.Sub(clock.Received))
		return clock.NTPTime + ntpDuration(d), clock.RTPTime + r.tsOffset + ticks(d, r.ClockRate)
	}
	return NTPTime(now), r.outTS + ticks(now.Sub(r.sentAt), r.ClockRate)
}

// ntpEpochOffset is the seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// NTPTime returns t as a 64-bit NTP timestamp: seconds since 1900 in the
// high 32 bits, the fraction of a second in the low 32 (RFC 5905 §6,
// as RFC 3550 §4 uses it).
func NTPTime(t time.Time) uint64 {
	return uint64(t.Unix()+ntpEpochOffset)<<32 | uint64(t.Nanosecond())<<32/uint64(time.Second)
}

// ntpDuration is d in NTP's 32.32 fixed point.
func ntpDuration(d time.Duration) uint64 {
	return uint64(d/time.Second)<<32 | uint64(d%time.Second)<<32/uint64(time.Second)
}
