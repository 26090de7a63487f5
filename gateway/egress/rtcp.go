package egress

import (
	"errors"
	"io"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/outbound"
)

// readRTCP is the RTCP loop of one sender. It always runs, because pion
// only hands on RTCP that someone reads: fb acts on each packet, and every
// packet is counted by kind.
func (v *Viewer) readRTCP(sender *webrtc.RTPSender, fb *outbound.Feedback) {
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || v.isStopping() {
				return
			}
			v.metrics.rtcp["malformed"].Inc()
			v.errs.Warn("read rtcp", "err", err)
			continue
		}
		now := time.Now()
		for _, p := range pkts {
			v.metrics.rtcp[fb.Handle(p, now)].Inc()
		}
	}
}

func (v *Viewer) isStopping() bool {
	select {
	case <-v.stopCh:
		return true
	default:
		return false
	}
}

// rtcpFeedback is what one sender does with the viewer's RTCP. PLI and FIR
// become a keyframe request to the sender's source (the camera or a
// rendition's encoder), which throttles them; NACKs go to the forwarder f
// of the sender's track (nil: none); every REMB sets the viewer's NACK
// budget; REMB and receiver reports go on to Config.OnREMB when remb is
// set.
func (v *Viewer) rtcpFeedback(keyframe func(), remb bool, f *forwarder) *outbound.Feedback {
	fb := &outbound.Feedback{Keyframe: keyframe}
	if f != nil {
		fb.NACK = f.nack
	}
	fb.REMB = func(p *rtcp.ReceiverEstimatedMaximumBitrate, _ time.Time) {
		v.nackGuard.follow(float64(p.Bitrate))
		if remb && v.m.cfg.OnREMB != nil {
			v.m.cfg.OnREMB(v, v.feedback.remb(float64(p.Bitrate)))
		}
	}
	if !remb {
		return fb
	}
	fb.Reports = func(p *rtcp.ReceiverReport) {
		if v.m.cfg.OnREMB == nil {
			return
		}
		if rate, moved := v.feedback.report(p.Reports); moved {
			v.m.cfg.OnREMB(v, rate)
		}
	}
	return fb
}

// forwarderFor returns the forwarder of track t, the track of a sender, or
// nil.
func forwarderFor(t any, fwds []*forwarder) *forwarder {
	for _, f := range fwds {
		if any(f.track) == t {
			return f
		}
	}
	return nil
}
