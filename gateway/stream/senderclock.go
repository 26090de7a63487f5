package stream

import "time"

// SenderClock is a source's NTP↔RTP mapping, taken from its last RTCP Sender
// Report (RFC 3550 §6.4.1). Subscribers that send a stream of their own
// derive their Sender Reports from it (gateway/outbound), so lip sync
// survives the gateway.
type SenderClock struct {
	SSRC     uint32
	NTPTime  uint64 // 64-bit NTP timestamp of the report
	RTPTime  uint32 // RTP timestamp that corresponds to NTPTime
	Received time.Time
}

// ntpEpochOffset is the seconds from 1900 (NTP) to 1970 (Unix).
const ntpEpochOffset = 2208988800

// NTPTime returns t as a 64-bit NTP timestamp: seconds since 1900 in the
// high 32 bits, the fraction of a second in the low 32 (RFC 5905 §6,
// as RFC 3550 §4 uses it).
func NTPTime(t time.Time) uint64 {
	return uint64(t.Unix()+ntpEpochOffset)<<32 | uint64(t.Nanosecond())<<32/uint64(time.Second)
}
