package ingest

import (
	"fmt"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/bwe"
)

// DefaultREMBInterval is how often a REMB goes to the sender when its value
// has not changed much.
const DefaultREMBInterval = time.Second

// REMB pacing (draft-alvestrand-rmcat-remb §2.2 leaves it to the receiver):
// a drop of the value by rembDropRatio or more goes out at once, at most
// every rembMinGap; a rise by rembRiseRatio or more goes out after
// rembRiseGap, so a sender following the estimator's fast recovery is not
// held back by the periodic interval; anything else waits for Interval.
const (
	rembDropRatio = 0.85
	rembRiseRatio = 1.10
	rembMinGap    = 50 * time.Millisecond
	rembRiseGap   = 200 * time.Millisecond
	// rembTick is the timer goroutine's period while REMB is on, short
	// enough that a drop goes out within rembMinGap.
	rembTick = 25 * time.Millisecond
)

// REMBConfig turns on the Receiver Estimated Maximum Bitrate
// (draft-alvestrand-rmcat-remb) the source sends to its latched sender.
// Rates are in bits per second.
type REMBConfig struct {
	// MinBitrate and MaxBitrate bound every REMB sent; zero takes the
	// bwe defaults.
	MinBitrate, MaxBitrate int
	// StartBitrate is the estimate before the link has been measured.
	StartBitrate int
	// AbsSendTimeID is the RFC 8285 header extension id (one-byte or
	// two-byte form) under which the sender stamps abs-send-time; 0 means
	// the RTP timestamp stands in for the send time (bwe.RTPTime).
	AbsSendTimeID uint8
	// Demand returns what the stream's viewers can take; nil, or false
	// from it, means no limit. It is called on the source's timer
	// goroutine with the source's lock held, so it must be quick and must
	// not call back into the Source.
	Demand func() (bps int, ok bool)
	// Interval is the longest time between two REMBs; zero means
	// DefaultREMBInterval.
	Interval time.Duration
}

// validate checks a REMB config; nil is valid (REMB off).
func (c *REMBConfig) validate() error {
	switch {
	case c == nil:
		return nil
	case c.MinBitrate < 0, c.MaxBitrate < 0, c.StartBitrate < 0:
		return fmt.Errorf("%w: negative REMB bitrate", ErrConfig)
	case c.MaxBitrate > 0 && c.MinBitrate > c.MaxBitrate:
		return fmt.Errorf("%w: REMB min bitrate %d above max %d", ErrConfig, c.MinBitrate, c.MaxBitrate)
	case c.Interval < 0:
		return fmt.Errorf("%w: negative REMB interval", ErrConfig)
	}
	return nil
}

// rembState is the estimator and REMB bookkeeping of one source, for one
// sender's session. Guarded by Source.mu.
type rembState struct {
	cfg    REMBConfig
	bounds bwe.Config
	est    *bwe.Estimator
	clock  bwe.SendClock
	sent   int       // value of the last REMB sent; 0 before the first
	sentAt time.Time // when it went out
	follow followMeter
}

// newREMBState returns the state for cfg, or nil when REMB is off.
func newREMBState(cfg *REMBConfig) *rembState {
	if cfg == nil {
		return nil
	}
	r := &rembState{cfg: *cfg}
	if r.cfg.Interval == 0 {
		r.cfg.Interval = DefaultREMBInterval
	}
	r.bounds = bwe.Config{MinBitrate: cfg.MinBitrate, MaxBitrate: cfg.MaxBitrate, StartBitrate: cfg.StartBitrate}
	r.reset()
	return r
}

// reset starts over for a new sender: a fresh estimator at StartBitrate.
func (r *rembState) reset() {
	r.est = bwe.New(r.bounds)
	r.clock = bwe.SendClock{ExtensionID: r.cfg.AbsSendTimeID}
	r.sent, r.sentAt = 0, time.Time{}
	r.follow = followMeter{}
}

// feed hands one accepted packet of the source's first track (video, or
// the only track) to the estimator: its arrival, its send time, its size on
// the wire and its sequence number. Only one SSRC feeds the estimator,
// whose loss count follows one sequence-number space; audio's share of the
// link is small. A packet without the configured abs-send-time extension
// is not fed.
func (r *rembState) feed(h *rtp.Header, clockRate uint32, size int, now time.Time) {
	if send, ok := r.clock.SendTime(h, clockRate); ok {
		r.est.OnPacket(now, send, size, h.SequenceNumber)
	}
}

// value is what the REMB says at now: the lower of the link estimate and
// the viewers' demand, within the configured bounds.
func (r *rembState) value(now time.Time) int {
	v := r.est.Estimate(now)
	if r.cfg.Demand != nil {
		if d, ok := r.cfg.Demand(); ok && d > 0 {
			v = min(v, d)
		}
	}
	if r.cfg.MinBitrate > 0 {
		v = max(v, r.cfg.MinBitrate)
	}
	return v
}

// due reports whether a REMB of value v should go out at now, given the
// pacing rules above; period is the timer's tick, of which half may be
// spent early rather than a whole one late.
func (r *rembState) due(v int, now time.Time, period time.Duration) bool {
	since := now.Sub(r.sentAt)
	switch {
	case r.sent == 0, since >= r.cfg.Interval-period/2:
		return true
	case float64(v) <= rembDropRatio*float64(r.sent):
		return since >= rembMinGap
	case float64(v) >= rembRiseRatio*float64(r.sent):
		return since >= rembRiseGap
	}
	return false
}

// rembPacket builds the REMB for the media SSRCs seen, nil when none is
// known yet. Called with s.mu held.
func (s *Source) rembPacket(v int) rtcp.Packet {
	var ssrcs []uint32
	for _, ts := range s.tracks {
		if ts.hasSSRC {
			ssrcs = append(ssrcs, ts.ssrc)
		}
	}
	if len(ssrcs) == 0 {
		return nil
	}
	return &rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: s.ourSSRC, Bitrate: float32(v), SSRCs: ssrcs}
}

// tickREMB sends a REMB when one is due, alone or with the receiver report
// that goes out now anyway, and refreshes the REMB metrics. It reports
// whether the caller should still send the receiver report (rrDue and the
// REMB did not carry it). Called with s.mu held.
func (s *Source) tickREMB(now time.Time, rrDue bool) bool {
	r := s.remb
	if r == nil {
		return rrDue
	}
	v := r.value(now)
	incoming := r.est.IncomingRate(now)
	s.met.estimate.Set(float64(r.est.Estimate(now)))
	s.met.incoming.Set(float64(incoming))
	defer s.updateFollow(now, incoming)
	if !r.due(v, now, s.tickPeriod()) && !rrDue {
		return false
	}
	pkt := s.rembPacket(v)
	if pkt == nil {
		return rrDue
	}
	var ok bool
	if rrDue {
		ok = s.sendReceiverReport(now, pkt)
	} else {
		ok = s.sendRTCP(s.compound(nil, pkt))
	}
	if !ok {
		return false
	}
	r.sent, r.sentAt = v, now
	s.met.remb.Set(float64(v))
	s.met.rembSent.Inc()
	return false
}
