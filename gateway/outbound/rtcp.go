package outbound

import (
	"time"

	"github.com/pion/rtcp"
)

// The kinds Feedback.Handle returns, as the owners' RTCP counters label
// them; an owner counts a packet that does not parse as "malformed".
const (
	KindPLI   = "pli"
	KindFIR   = "fir"
	KindREMB  = "remb"
	KindNACK  = "nack"
	KindRR    = "rr"
	KindSR    = "sr"
	KindSDES  = "sdes"
	KindBye   = "bye"
	KindOther = "other"
)

// Feedback routes the RTCP a receiver sends about outbound tracks to the
// owner's hooks. A nil hook ignores its kind, which is still returned for
// counting. The owner's RTCP reading goroutine calls it.
type Feedback struct {
	// Keyframe answers PLI (RFC 4585 §6.3.1) and FIR (RFC 5104 §4.3.1).
	Keyframe func()
	// REMB takes the receiver's estimated maximum bitrate
	// (draft-alvestrand-rmcat-remb §2.2).
	REMB func(p *rtcp.ReceiverEstimatedMaximumBitrate, now time.Time)
	// NACK takes a generic NACK (RFC 4585 §6.2.1).
	NACK func(p *rtcp.TransportLayerNack, now time.Time)
	// Reports takes a receiver report (RFC 3550 §6.4.2).
	Reports func(p *rtcp.ReceiverReport)
}

// Handle acts on one packet of a compound RTCP packet that arrived at now
// and returns its kind.
func (f *Feedback) Handle(p rtcp.Packet, now time.Time) (kind string) {
	switch p := p.(type) {
	case *rtcp.PictureLossIndication:
		return f.keyframe(KindPLI)
	case *rtcp.FullIntraRequest:
		return f.keyframe(KindFIR)
	case *rtcp.ReceiverEstimatedMaximumBitrate:
		if f.REMB != nil {
			f.REMB(p, now)
		}
		return KindREMB
	case *rtcp.TransportLayerNack:
		if f.NACK != nil {
			f.NACK(p, now)
		}
		return KindNACK
	case *rtcp.ReceiverReport:
		if f.Reports != nil {
			f.Reports(p)
		}
		return KindRR
	case *rtcp.SenderReport:
		return KindSR
	case *rtcp.SourceDescription:
		return KindSDES
	case *rtcp.Goodbye:
		return KindBye
	}
	return KindOther
}

func (f *Feedback) keyframe(kind string) string {
	if f.Keyframe != nil {
		f.Keyframe()
	}
	return kind
}
