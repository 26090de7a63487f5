package output

import (
	"math/rand/v2"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// trackSender sends one kind of track (video or audio) as one RTP stream of
// its own SSRC. It outlives the tracks that feed it: attach moves it to
// another track and its numbering continues. The send loop owns it.
type trackSender struct {
	kind stream.Kind
	ssrc uint32
	pt   uint8 // configured payload type; 0 means the track's

	track   *stream.Track // nil: nothing feeds the sender now
	sub     *stream.Subscription
	dropped uint64 // subscription drops already counted

	rw    stream.Rewriter
	sprop spropInserter
	hist  *history
	hdr   rtp.Header // reused for every packet

	packets uint32 // RTP packets sent, for the Sender Report
	octets  uint32 // payload octets sent
}

func newTrackSender(kind stream.Kind, pt uint8, historySize int) *trackSender {
	return &trackSender{
		kind: kind, ssrc: rand.Uint32() | 1, pt: pt,
		rw:   stream.Rewriter{Gate: kind == stream.Video},
		hist: newHistory(historySize),
	}
}

// packets returns the queue to read, or nil (never ready) when detached.
func (s *trackSender) queue() <-chan *stream.Packet {
	if s.sub == nil {
		return nil
	}
	return s.sub.Packets()
}

// attach makes t feed the sender (nil detaches it) and reports whether
// anything changed. The next packet starts a new mapping, gated on a
// keyframe for video.
func (s *trackSender) attach(t *stream.Track, depth int, met *outputMetrics) bool {
	if s.track == t {
		return false
	}
	s.detach(met)
	s.track = t
	if t == nil {
		return true
	}
	s.sub = t.Subscribe(depth)
	s.rw.ClockRate = t.Codec.ClockRate
	s.rw.Resync()
	s.sprop = newSpropInserter(t)
	return true
}

// detach closes the subscription, counting its last drops.
func (s *trackSender) detach(met *outputMetrics) {
	if s.sub == nil {
		return
	}
	s.countDrops(met)
	s.sub.Close()
	s.sub, s.track, s.dropped = nil, nil, 0
}

// countDrops adds the subscription's new queue drops to the metrics.
func (s *trackSender) countDrops(met *outputMetrics) {
	if s.sub == nil {
		return
	}
	if d := s.sub.Dropped(); d > s.dropped {
		met.drop(dropQueue, int(d-s.dropped))
		s.dropped = d
	}
}

// payloadType is the payload type stamped on the packets.
func (s *trackSender) payloadType() uint8 {
	if s.pt != 0 || s.track == nil {
		return s.pt
	}
	return s.track.Codec.PayloadType
}

// forward sends one source packet, or drops it while gated. It returns
// whether the source must be asked for a keyframe.
func (s *trackSender) forward(l *link, p *stream.Packet, now time.Time) (keyframe bool) {
	seq, ts, ok, lostSync := s.rw.Rewrite(p, now)
	keyframe = lostSync && s.rw.Gate
	if !ok {
		return keyframe
	}
	if stap := s.sprop.before(p); stap != nil {
		s.send(l, stap, seq, ts, false)
		s.rw.Shift(1)
		seq++
	}
	s.send(l, p.Payload, seq, ts, p.Marker)
	return keyframe
}

// send writes one packet with the sender's header and keeps it for NACKs.
func (s *trackSender) send(l *link, payload []byte, seq uint16, ts uint32, marker bool) {
	s.hdr = rtp.Header{
		Version: 2, Marker: marker, PayloadType: s.payloadType(),
		SequenceNumber: seq, Timestamp: ts, SSRC: s.ssrc,
	}
	wire, ok := l.sealRTP(s.hist.buffer(seq), &s.hdr, payload)
	if !ok {
		return
	}
	s.hist.store(seq, wire)
	if !l.write(wire) {
		return
	}
	s.packets++
	s.octets += uint32(len(payload))
	l.met.packets.Inc()
	l.met.bytes.Add(float64(len(wire)))
}

// resend writes the packets of seqs still in the history again and
// returns how many went out (RFC 4585 §6.2.1).
func (s *trackSender) resend(l *link, seqs []uint16) (sent int) {
	for _, seq := range seqs {
		wire := s.hist.get(seq)
		if wire == nil {
			l.met.drop(dropNACKMissing, 1)
			continue
		}
		if l.write(wire) {
			sent++
		}
	}
	return sent
}
