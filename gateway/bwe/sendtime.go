package bwe

import (
	"time"

	"github.com/pion/rtp"
)

// absSendTimeBits is the width of the abs-send-time header extension value:
// 24 bits, 6.18 fixed-point seconds, wrapping every 64 s
// (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time).
const (
	absSendTimeBits     = 24
	absSendTimeFraction = 18
	absSendTimeMask     = 1<<absSendTimeBits - 1
)

// AbsSendTime unwraps the 24-bit abs-send-time header extension into a
// monotonic send time on the sender's clock. The zero value is ready to use;
// the first value seen maps to its own offset within the 64 s cycle.
type AbsSendTime struct {
	last    uint32
	ticks   int64
	started bool
}

// Unwrap returns the send time of a packet stamped with the 24-bit
// abs-send-time value v (higher bits are ignored). Successive values may wrap
// around and may arrive out of order by up to half the 64 s cycle.
func (a *AbsSendTime) Unwrap(v uint32) time.Duration {
	v &= absSendTimeMask
	if !a.started {
		a.started, a.last, a.ticks = true, v, int64(v)
		return ticksToDuration(a.ticks, 1<<absSendTimeFraction)
	}
	delta := int64((v - a.last) & absSendTimeMask)
	if delta >= 1<<(absSendTimeBits-1) {
		delta -= 1 << absSendTimeBits
	}
	a.ticks += delta
	a.last = v
	return ticksToDuration(a.ticks, 1<<absSendTimeFraction)
}

// RTPTime unwraps 32-bit RTP timestamps (RFC 3550 §5.1) into a monotonic send
// time, for senders that do not stamp abs-send-time. ClockRate is the payload
// format's clock in Hz (90000 for video); a zero ClockRate means 90000.
type RTPTime struct {
	// ClockRate is the RTP timestamp clock in Hz.
	ClockRate uint32

	last    uint32
	ticks   int64
	started bool
}

// Unwrap returns the send time of a packet with RTP timestamp ts. Successive
// timestamps may wrap around and may arrive out of order by up to 2^31 ticks.
func (r *RTPTime) Unwrap(ts uint32) time.Duration {
	if !r.started {
		r.started, r.last, r.ticks = true, ts, int64(ts)
	} else {
		r.ticks += int64(int32(ts - r.last))
		r.last = ts
	}
	rate := int64(r.ClockRate)
	if rate == 0 {
		rate = 90000
	}
	return ticksToDuration(r.ticks, rate)
}

// ticksToDuration converts ticks of a clock running at rate Hz into a
// duration without overflowing for any realistic session length.
func ticksToDuration(ticks, rate int64) time.Duration {
	sec := ticks / rate
	rem := ticks % rate
	return time.Duration(sec)*time.Second + time.Duration(rem*int64(time.Second)/rate)
}

// SendClock reads the send times of one sender's packets: from the
// abs-send-time header extension (RFC 8285) under ExtensionID when it is
// set, else from the RTP timestamp, unwrapped at the track's clock rate and
// started afresh when the SSRC changes. Ingest and the WHIP publishers feed
// an Estimator with it.
type SendClock struct {
	// ExtensionID is the abs-send-time extension's id; 0 reads RTP
	// timestamps.
	ExtensionID uint8

	abs  AbsSendTime
	rtp  RTPTime
	ssrc uint32
}

// SendTime returns h's send time; ok is false when the extension is
// configured but h does not carry it.
func (c *SendClock) SendTime(h *rtp.Header, clockRate uint32) (send time.Duration, ok bool) {
	if c.ExtensionID != 0 {
		ext := h.GetExtension(c.ExtensionID)
		if len(ext) < 3 {
			return 0, false
		}
		return c.abs.Unwrap(uint32(ext[0])<<16 | uint32(ext[1])<<8 | uint32(ext[2])), true
	}
	if !c.rtp.started || h.SSRC != c.ssrc {
		c.rtp, c.ssrc = RTPTime{ClockRate: clockRate}, h.SSRC
	}
	return c.rtp.Unwrap(h.Timestamp), true
}
