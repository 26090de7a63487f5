package egress

import (
	"errors"
	"io"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// readRTCP is the RTCP loop of one sender. It always runs, because pion's
// interceptors (the NACK responder) only see RTCP that someone reads. PLI
// and FIR become a keyframe request to the sender's source (the camera or a
// rendition's encoder), which throttles them; REMB goes to Config.OnREMB
// when remb is set; the rest is only counted.
func (v *Viewer) readRTCP(sender *webrtc.RTPSender, keyframe func(), remb bool) {
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
		for _, p := range pkts {
			v.handleRTCP(p, keyframe, remb)
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

// handleRTCP acts on one packet of a compound RTCP packet from the viewer.
func (v *Viewer) handleRTCP(p rtcp.Packet, keyframe func(), remb bool) {
	kind := "other"
	switch p := p.(type) {
	case *rtcp.PictureLossIndication: // RFC 4585 §6.3.1
		kind = "pli"
		keyframe()
	case *rtcp.FullIntraRequest: // RFC 5104 §4.3.1
		kind = "fir"
		keyframe()
	case *rtcp.ReceiverEstimatedMaximumBitrate:
		kind = "remb"
		if remb && v.m.cfg.OnREMB != nil {
			v.m.cfg.OnREMB(v, v.feedback.remb(float64(p.Bitrate)))
		}
	case *rtcp.TransportLayerNack: // answered by pion's NACK responder
		kind = "nack"
	case *rtcp.ReceiverReport:
		kind = "rr"
		if remb && v.m.cfg.OnREMB != nil {
			if rate, moved := v.feedback.report(p.Reports); moved {
				v.m.cfg.OnREMB(v, rate)
			}
		}
	case *rtcp.SenderReport:
		kind = "sr"
	case *rtcp.SourceDescription:
		kind = "sdes"
	case *rtcp.Goodbye:
		kind = "bye"
	}
	v.metrics.rtcp[kind].Inc()
}
