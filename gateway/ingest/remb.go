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
const DefaultREMBInterval = bwe.DefaultUpstreamInterval

// The REMB's value and pacing are bwe.Upstream's, the one rule WHIP
// publishers get too; the source writes the packets and keeps the metrics.

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
	// Demand returns what the stream's consumers can take
	// (bwe.Router.Demand); nil, or false from it, means no limit. It is
	// called on the source's timer goroutine before the source's lock is
	// taken, so it may take locks of its own, but must be quick and must
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

// rembState is the REMB loop of one source, for one sender's session.
// Guarded by Source.mu, except cfg, which does not change, and looked, which
// the RTP read loop alone uses.
type rembState struct {
	cfg    REMBConfig
	up     *bwe.Upstream
	clock  bwe.SendClock
	follow followMeter
	// looked is when the RTP read loop last looked for a due REMB; only
	// that goroutine uses it (rembAfterBatch).
	looked time.Time
}

// newREMBState returns the state for cfg, or nil when REMB is off.
func newREMBState(cfg *REMBConfig) *rembState {
	if cfg == nil {
		return nil
	}
	r := &rembState{cfg: *cfg, up: bwe.NewUpstream(bwe.UpstreamConfig{
		Config:   bwe.Config{MinBitrate: cfg.MinBitrate, MaxBitrate: cfg.MaxBitrate, StartBitrate: cfg.StartBitrate},
		Interval: cfg.Interval,
	})}
	r.reset()
	return r
}

// reset starts over for a new sender: a fresh estimator at StartBitrate.
func (r *rembState) reset() {
	r.up.Reset()
	r.clock = bwe.SendClock{ExtensionID: r.cfg.AbsSendTimeID}
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
		r.up.OnPacket(now, send, size, h.SequenceNumber)
	}
}

// demand reads the consumers' demand for the next tick. It is called
// without s.mu: Demand takes the locks of the components it asks.
func (s *Source) demand() (bps int, limited bool) {
	if s.remb == nil || s.remb.cfg.Demand == nil {
		return 0, false
	}
	return s.remb.cfg.Demand()
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

// interval is the longest time between two REMBs.
func (r *rembState) interval() time.Duration {
	if r.cfg.Interval > 0 {
		return r.cfg.Interval
	}
	return DefaultREMBInterval
}

// rembAfterBatch sends the REMB that the packets read since the last look,
// or the consumers' demand, made due: a drop or a rise of the value goes
// out as soon as the pacing of bwe.Upstream allows. It looks at most once
// per bwe.UpstreamTick, as a timer of that period would, but only while
// packets arrive, so the source does not wake to look. The RTP read loop
// calls it after each batch, without s.mu.
func (s *Source) rembAfterBatch(now time.Time) {
	if s.remb == nil || now.Sub(s.remb.looked) < bwe.UpstreamTick {
		return
	}
	s.remb.looked = now
	demand, limited := s.demand() // before s.mu: it takes other components' locks
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latch.addr.IsValid() {
		s.tickREMB(now, bwe.UpstreamTick, false, demand, limited)
	}
}

// tickREMB sends a REMB when one is due, alone or with the receiver report
// that goes out now anyway, and refreshes the REMB metrics; period is how
// often the caller looks (bwe.Upstream.Due), and demand was read by the
// caller before it took s.mu. It reports whether the caller should still
// send the receiver report (rrDue and the REMB did not carry it). Called
// with s.mu held.
func (s *Source) tickREMB(now time.Time, period time.Duration, rrDue bool, demand int, limited bool) bool {
	r := s.remb
	if r == nil {
		return rrDue
	}
	v := r.up.Value(now, demand, limited)
	incoming := r.up.IncomingRate(now)
	s.met.estimate.Set(float64(r.up.Estimate(now)))
	s.met.incoming.Set(float64(incoming))
	defer s.updateFollow(now, incoming)
	if !r.up.Due(v, now, period) && !rrDue {
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
	r.up.Sent(v, now)
	s.met.remb.Set(float64(v))
	s.met.rembSent.Inc()
	return false
}
