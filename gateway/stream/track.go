package stream

import (
	"sync"
	"sync/atomic"

	"mediagate.dev/mediagate/internal/codec"
)

// Kind tells audio tracks from video tracks.
type Kind int

// The two kinds of track.
const (
	Video Kind = iota
	Audio
)

func (k Kind) String() string {
	if k == Audio {
		return "audio"
	}
	return "video"
}

// Codec is the RTP payload format of a track, as the source sends it.
type Codec struct {
	MimeType    string // "video/H264", "video/H265", "video/VP8", "audio/opus", "audio/PCMU", "audio/PCMA"
	ClockRate   uint32
	Channels    uint16
	PayloadType uint8
	// Fmtp is the a=fmtp parameter string (profile-level-id, sprop-parameter-sets…).
	Fmtp string
}

// Track carries one media flow from its source to its subscribers.
type Track struct {
	Kind  Kind
	Codec Codec

	mu    sync.Mutex // serialises subscribe/unsubscribe; Write never takes it
	subs  atomic.Pointer[[]*Subscription]
	clock atomic.Pointer[SenderClock]
	last  atomic.Pointer[Packet]
	// hook, when set, is called after each change of the subscribers.
	hook atomic.Pointer[func()]
	// params remembers an H.264 or H.265 source's in-band parameter sets;
	// nil for other codecs.
	params *codec.ParameterSetMemory
	// gop remembers a video track's packets since its latest keyframe,
	// for a viewer's bridged start (SetGOPLimits turns it on).
	gop gopMemory
}

// NewTrack returns a track with no subscribers.
func NewTrack(kind Kind, c Codec) *Track {
	t := &Track{Kind: kind, Codec: c, params: codec.NewParameterSetMemory(c.MimeType)}
	t.subs.Store(&[]*Subscription{})
	return t
}

// Write offers p to every subscriber. It never blocks and holds no lock: a
// subscriber whose queue is full loses p, and the loss is counted on its
// Subscription. p must not be modified after Write.
func (t *Track) Write(p *Packet) {
	t.params.Observe(p.Payload)
	if t.Kind == Video {
		t.gop.add(p)
	}
	t.last.Store(p)
	for _, s := range *t.subs.Load() {
		s.offer(p)
	}
}

// SetSenderClock records the source's latest NTP↔RTP mapping.
func (t *Track) SetSenderClock(c SenderClock) { t.clock.Store(&c) }

// SenderClock returns the source's latest NTP↔RTP mapping, or nil before the
// first Sender Report.
func (t *Track) SenderClock() *SenderClock { return t.clock.Load() }

// ParameterSets returns the latest parameter sets an H.264 (SPS, PPS) or
// H.265 (VPS, SPS, PPS) track carried in band, in decoding order, or nil:
// for a subscriber that starts on a keyframe that lacks them. The result
// must not be modified.
func (t *Track) ParameterSets() [][]byte { return t.params.Sets() }

// SetGOPLimits bounds what the track remembers of its current group of
// pictures; the zero value (the default) remembers nothing. Audio tracks
// never remember.
func (t *Track) SetGOPLimits(l GOPLimits) { t.gop.setLimits(l) }

// GOP returns the packets from the track's latest keyframe up to now, or
// an empty GOP when none is held (no keyframe yet, or the GOP outgrew the
// limits).
func (t *Track) GOP() GOP { return t.gop.snapshot() }

// GOPUsage returns the packets and payload bytes the GOP memory holds, for
// the metrics.
func (t *Track) GOPUsage() (packets, bytes int) { return t.gop.usage() }

// LastPacket returns the most recent packet written, or nil.
func (t *Track) LastPacket() *Packet { return t.last.Load() }

// Subscribe attaches a new subscriber whose queue holds depth packets.
func (t *Track) Subscribe(depth int) *Subscription {
	if depth < 1 {
		depth = 1
	}
	s := &Subscription{
		track: t,
		queue: make(chan *Packet, depth),
		done:  make(chan struct{}),
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.subs.Load()
	next := make([]*Subscription, 0, len(old)+1)
	next = append(append(next, old...), s)
	t.subs.Store(&next)
	t.changed()
	return s
}

// Subscribers reports how many subscribers the track has now.
func (t *Track) Subscribers() int { return len(*t.subs.Load()) }

func (t *Track) unsubscribe(s *Subscription) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.subs.Load()
	next := make([]*Subscription, 0, len(old))
	for _, o := range old {
		if o != s {
			next = append(next, o)
		}
	}
	t.subs.Store(&next)
	t.changed()
}

// changed calls the subscriber hook; t.mu is held, so the calls come in
// the order of the changes. The hook must not block or subscribe.
func (t *Track) changed() {
	if h := t.hook.Load(); h != nil {
		(*h)()
	}
}
