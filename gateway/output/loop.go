package output

import (
	"time"

	"mediagate.dev/mediagate/gateway/stream"
)

// run is the send loop: it owns the senders, the send history and the
// sending SRTP context. It follows the stream's tracks, forwards their
// packets, answers NACKs and sends the reports, until Close.
func (o *Output) run() {
	defer o.wg.Done()
	defer o.conn.Close() // after the BYE; it ends the read loop
	ticker := time.NewTicker(o.cfg.ReportInterval)
	defer ticker.Stop()
	o.follow(o.cfg.Stream)
	video, audio := o.senders[stream.Video], o.senders[stream.Audio]
	for {
		select {
		case <-o.stop:
			o.finish()
			return
		case p := <-video.queue():
			o.forward(video, p)
		case p := <-audio.queue():
			o.forward(audio, p)
		case req := <-o.nacks:
			o.resend(req)
		case <-o.moved:
			o.follow(o.takeMove())
		case now := <-ticker.C:
			o.tick(now)
		}
	}
}

// takeMove returns the stream SetStream asked for.
func (o *Output) takeMove() *stream.Stream {
	o.moveMu.Lock()
	defer o.moveMu.Unlock()
	st := o.moveTo
	o.moveTo = nil
	return st
}

// follow attaches each sender to st's track of its kind and asks for a
// keyframe when the video track changed.
func (o *Output) follow(st *stream.Stream) {
	if st == nil {
		return
	}
	o.current.Store(st)
	if o.senders[stream.Video].attach(st.Video, o.cfg.QueueDepth, o.met) && st.Video != nil {
		st.RequestKeyframe()
	}
	o.senders[stream.Audio].attach(st.Audio, o.cfg.QueueDepth, o.met)
}

// forward sends one packet of s's track.
func (o *Output) forward(s *trackSender, p *stream.Packet) {
	if s.forward(p, time.Now()) {
		o.current.Load().RequestKeyframe()
	}
}

// resend answers one NACK request from the history.
func (o *Output) resend(req nackRequest) {
	if n := o.senders[req.kind].resend(req.seqs); n > 0 {
		o.met.retransmits.Add(float64(n))
	}
}

// tick runs once per ReportInterval: drop accounting, keyframe retries
// while video waits for one, the REMB gauge, and a Sender Report per
// track that has sent (RFC 3550 §6.4.1).
func (o *Output) tick(now time.Time) {
	for _, s := range o.senders {
		s.countDrops(o.met)
	}
	if v := o.senders[stream.Video]; v.track != nil && v.out.Waiting() {
		o.current.Load().RequestKeyframe()
	}
	if _, ok := o.remb.get(now); !ok {
		o.met.remb.Set(0)
	}
	for _, s := range o.senders {
		_ = s.out.Report(&o.link, s.clock(), o.cfg.Name, now) // counted by the link
	}
}

// finish ends the session: a BYE for each track that sent, and the
// subscriptions closed.
func (o *Output) finish() {
	for _, s := range o.senders {
		_ = s.out.Bye(&o.link, o.cfg.Name) // counted by the link
		s.detach(o.met)
	}
}
