package main

import "time"

// abs-send-time (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time):
// a 24-bit header extension holding the send time in seconds as 6.18 fixed
// point, wrapping every 64 s. Sent in the one-byte form of RFC 8285 §4.2.
const (
	absSendTimeLen      = 3
	absSendTimeFraction = 18
	absSendTimeMask     = 1<<24 - 1
)

// absSendTime encodes d, the time since the sender's epoch, as the
// extension's three bytes. The receiver only compares values with each
// other, so any epoch does; a monotonic one never steps.
func absSendTime(d time.Duration) [absSendTimeLen]byte {
	v := absSendTimeTicks(d)
	return [absSendTimeLen]byte{byte(v >> 16), byte(v >> 8), byte(v)}
}

// absSendTimeTicks is d in units of 2^-18 s, modulo 2^24 (64 s).
func absSendTimeTicks(d time.Duration) uint32 {
	sec := uint64(d / time.Second)
	frac := uint64(d%time.Second) << absSendTimeFraction / uint64(time.Second)
	return uint32((sec<<absSendTimeFraction | frac) & absSendTimeMask)
}
