package egress

import (
	"errors"
	"io"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/outbound"
)

// readRTCP is the RTCP loop of one sender. It always runs, because pion's
// interceptors (the NACK responder) only see RTCP that someone reads. PLI
// and FIR become a keyframe request to the sender's source (the camera or a
// rendition's encoder), which throttles them; REMB and receiver reports go
// to Config.OnREMB when remb is set; NACKs are answered by pion's
// responder; every packet is counted by kind.
func (v *Viewer) readRTCP(sender *webrtc.RTPSender, keyframe func(), remb bool) {
	fb := v.rtcpFeedback(keyframe, remb)
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

// rtcpFeedback is what one sender does with the viewer's RTCP.
func (v *Viewer) rtcpFeedback(keyframe func(), remb bool) *outbound.Feedback {
	fb := &outbound.Feedback{Keyframe: keyframe}
	if !remb {
		return fb
	}
	fb.REMB = func(p *rtcp.ReceiverEstimatedMaximumBitrate, _ time.Time) {
		if v.m.cfg.OnREMB != nil {
			v.m.cfg.OnREMB(v, v.feedback.remb(float64(p.Bitrate)))
		}
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
