package whip

import (
	"math/rand/v2"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/bwe"
)

// defaultKeyframeInterval is the least time between PLIs when the target
// sets none.
const defaultKeyframeInterval = time.Second

// The REMB's value and pacing are bwe.Upstream's, the one rule ingest's
// RTP senders get too; the RTCP loop ticks at bwe.UpstreamTick, looks at
// the estimate and at pending keyframe requests, and writes the packets.

// pliSchedule coalesces keyframe requests into at most one PLI per
// interval; a request inside the interval is sent when it ends. A joining
// viewer's request (join, bounded by the stream's join budget) is sent at
// once; the interval then runs from it.
type pliSchedule struct {
	interval time.Duration
	last     time.Time
	pending  bool
	join     bool // the pending request is a joining viewer's
}

// due reports whether a PLI should be sent at now, and records it if so.
func (s *pliSchedule) due(now time.Time) bool {
	if !s.pending || !s.join && !s.last.IsZero() && now.Sub(s.last) < s.interval {
		return false
	}
	s.pending, s.join, s.last = false, false, now
	return true
}

// requestKeyframe asks the publisher for a keyframe; it is the stream's
// keyframe requester and never blocks.
func (p *Publisher) requestKeyframe() {
	select {
	case p.keyframe <- struct{}{}:
	default:
	}
}

// requestJoinKeyframe asks the publisher for a keyframe at once, outside
// the keyframe interval, for a joining viewer; the stream calls it within
// its join budget. It never blocks.
func (p *Publisher) requestJoinKeyframe() {
	select {
	case p.joinKeyframe <- struct{}{}:
	default:
	}
}

// keyframeRequester is the publisher as its stream's
// stream.JoinKeyframeRequester.
type keyframeRequester struct{ p *Publisher }

func (k keyframeRequester) RequestKeyframe()     { k.p.requestKeyframe() }
func (k keyframeRequester) RequestJoinKeyframe() { k.p.requestJoinKeyframe() }

// rtcpLoop sends REMB and PLI to the publisher until the session ends.
func (p *Publisher) rtcpLoop() {
	tick := time.NewTicker(bwe.UpstreamTick)
	defer tick.Stop()
	pli := pliSchedule{interval: p.target.KeyframeInterval}
	if pli.interval <= 0 {
		pli.interval = defaultKeyframeInterval
	}
	sender := rand.Uint32() // the SSRC our RTCP is sent from (RFC 3550 §8)
	var lastErr time.Time
	for {
		var now time.Time
		select {
		case <-p.stop:
			return
		case <-p.keyframe:
			pli.pending, now = true, time.Now()
		case <-p.joinKeyframe:
			pli.pending, pli.join, now = true, true, time.Now()
		case now = <-tick.C:
			p.sendREMB(now, sender, &lastErr)
		}
		if join := pli.join; pli.due(now) {
			p.sendPLI(sender, &lastErr, now, join)
		}
	}
}

// rembValue is the bitrate to announce: the link estimate, lowered to the
// consumers' demand, within the stream's [stream.remb] bounds.
func (p *Publisher) rembValue(now time.Time) int {
	set(p.metrics.estimate, float64(p.up.Estimate(now)))
	var demand int
	var limited bool
	if d := p.m.cfg.Demand; d != nil {
		demand, limited = d(p.st.Name)
	}
	return p.up.Value(now, demand, limited)
}

// sendREMB sends a REMB (draft-alvestrand-rmcat-remb §2.2) when one is due
// and the publisher's media has started.
func (p *Publisher) sendREMB(now time.Time, sender uint32, lastErr *time.Time) {
	if !p.target.REMB.On() {
		return
	}
	ssrcs := p.mediaSSRCs()
	if len(ssrcs) == 0 {
		return
	}
	value := p.rembValue(now)
	if !p.up.Due(value, now, bwe.UpstreamTick) {
		return
	}
	pkt := &rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: sender, Bitrate: float32(value), SSRCs: ssrcs}
	if err := p.pc.WriteRTCP([]rtcp.Packet{pkt}); err != nil {
		p.logWriteError(lastErr, now, "remb", err)
		return
	}
	p.up.Sent(value, now)
	set(p.metrics.remb, float64(value))
	inc(p.metrics.rembSent)
}

// sendPLI sends a Picture Loss Indication (RFC 4585 §6.3.1) for the
// publisher's video; join says it is a joining viewer's.
func (p *Publisher) sendPLI(sender uint32, lastErr *time.Time, now time.Time, join bool) {
	ssrc := p.videoSSRC.Load()
	if ssrc == 0 {
		return
	}
	if err := p.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{SenderSSRC: sender, MediaSSRC: ssrc}}); err != nil {
		p.logWriteError(lastErr, now, "pli", err)
		return
	}
	inc(p.metrics.keyframes)
	if join {
		inc(p.metrics.joinKeys)
	}
}

// mediaSSRCs lists the publisher's SSRCs known so far, video first.
func (p *Publisher) mediaSSRCs() []uint32 {
	var out []uint32
	for _, s := range []uint32{p.videoSSRC.Load(), p.audioSSRC.Load()} {
		if s != 0 {
			out = append(out, s)
		}
	}
	return out
}

// logWriteError logs a failed RTCP write at most once per second.
func (p *Publisher) logWriteError(last *time.Time, now time.Time, what string, err error) {
	if now.Sub(*last) < time.Second {
		return
	}
	*last = now
	p.log.Debug("whip rtcp write failed", "rtcp", what, "err", err)
}
