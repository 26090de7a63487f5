package output

import (
	"math/rand/v2"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/outbound"
	"mediagate.dev/mediagate/gateway/stream"
)

// trackSender sends one kind of track (video or audio) as one RTP stream of
// its own SSRC. It outlives the tracks that feed it: attach moves it to
// another track and its numbering continues. The send loop owns it.
type trackSender struct {
	kind stream.Kind
	pt   uint8 // configured payload type; 0 means the track's

	track *stream.Track // nil: nothing feeds the sender now
	feed  outbound.Feed
	out   outbound.Track
	hist  *outbound.History
	link  *link
}

func newTrackSender(kind stream.Kind, pt uint8, historySize int, l *link) *trackSender {
	s := &trackSender{kind: kind, pt: pt, hist: outbound.NewHistory(historySize), link: l}
	s.out.SSRC = rand.Uint32() | 1
	return s
}

// queue returns the queue to read, or nil (never ready) when detached.
func (s *trackSender) queue() <-chan *stream.Packet { return s.feed.Packets() }

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
	s.feed.Subscribe(t, depth)
	s.out.Follow(t)
	s.out.PayloadType = s.payloadType()
	return true
}

// detach closes the subscription, counting its last drops.
func (s *trackSender) detach(met *outputMetrics) {
	if n := s.feed.Close(); n > 0 {
		met.drop(dropQueue, int(n))
	}
	s.track = nil
}

// countDrops adds the subscription's new queue drops to the metrics.
func (s *trackSender) countDrops(met *outputMetrics) {
	if n := s.feed.Drops(); n > 0 {
		met.drop(dropQueue, int(n))
	}
}

// payloadType is the payload type stamped on the packets.
func (s *trackSender) payloadType() uint8 {
	if s.pt != 0 || s.track == nil {
		return s.pt
	}
	return s.track.Codec.PayloadType
}

// clock is the Sender Report clock of the track that feeds the sender, or
// nil.
func (s *trackSender) clock() *stream.SenderClock {
	if s.track == nil {
		return nil
	}
	return s.track.SenderClock()
}

// forward sends one source packet, or drops it while gated. It returns
// whether the source must be asked for a keyframe.
func (s *trackSender) forward(p *stream.Packet, now time.Time) (keyframe bool) {
	return s.out.Forward(s, p, now)
}

// WriteRTP seals one packet, keeps it for NACKs and sends it; it is the
// track's outbound.Writer.
func (s *trackSender) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	wire, err := s.link.sealRTP(s.hist.Buffer(h.SequenceNumber), h, payload)
	if err != nil {
		return 0, err
	}
	s.hist.Store(h.SequenceNumber, wire)
	if err := s.link.write(wire); err != nil {
		return 0, err
	}
	s.link.met.packets.Inc()
	s.link.met.bytes.Add(float64(len(wire)))
	return len(wire), nil
}

// resend writes the packets of seqs still in the history again and
// returns how many went out (RFC 4585 §6.2.1).
func (s *trackSender) resend(seqs []uint16) (sent int) {
	for _, seq := range seqs {
		wire := s.hist.Get(seq)
		if wire == nil {
			s.link.met.drop(dropNACKMissing, 1)
			continue
		}
		if s.link.write(wire) == nil {
			sent++
		}
	}
	return sent
}
