package main

import (
	"log/slog"
	"sync/atomic"

	"github.com/pion/rtcp"
)

// control holds what RTCP feedback changes and the frame loop reads: the
// last REMB, the encoder's target and a pending key frame request. The
// RTCP reader, the frame loop and the statistics share it, so its fields
// are atomic.
type control struct {
	min, max int // bounds of the target, bit/s
	log      *slog.Logger

	remb     atomic.Int64 // last REMB, bit/s; 0 before the first
	target   atomic.Int64 // bit/s
	keyframe atomic.Bool
	rembs    atomic.Int64 // REMB messages received
}

func newControl(start, lo, hi int, log *slog.Logger) *control {
	c := &control{min: lo, max: hi, log: log}
	c.target.Store(int64(start))
	return c
}

// onRTCP applies the feedback in one RTCP compound. Every PLI or FIR on
// the socket asks for a key frame: it carries one media stream, ours. The
// REMB's SSRC list is not checked either, as libwebrtc does not.
func (c *control) onRTCP(pkts []rtcp.Packet) {
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.ReceiverEstimatedMaximumBitrate:
			c.onREMB(p)
		case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
			// RFC 4585 §6.3.1, RFC 5104 §4.3.1: answer with a key frame.
			c.keyframe.Store(true)
		}
	}
}

// onREMB makes the REMB's bitrate (draft-alvestrand-rmcat-remb §2.2) the
// encoder's target, clamped to -min and -max.
func (c *control) onREMB(p *rtcp.ReceiverEstimatedMaximumBitrate) {
	bps := int64(p.Bitrate)
	c.remb.Store(bps)
	target := min(int64(c.max), max(int64(c.min), bps))
	if c.target.Swap(target) != target {
		c.log.Debug("REMB sets the target", "remb", bps, "target", target)
	}
	if c.rembs.Add(1) == 1 {
		c.log.Info("first REMB received; following it", "remb", bps, "target", target)
	}
}

// takeKeyframe reports whether a key frame was asked for since the last
// call.
func (c *control) takeKeyframe() bool { return c.keyframe.Swap(false) }
