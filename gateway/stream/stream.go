package stream

import (
	"sync"
	"sync/atomic"

	"mediagate.dev/mediagate/gateway/event"
)

// KeyframeRequester asks a source for a keyframe. Ingest implements it by
// sending PLI or FIR to the latched camera (throttled per stream); a
// transcoded rendition implements it by telling its encoder. A source that
// spaces its requests also implements JoinKeyframeRequester.
type KeyframeRequester interface {
	RequestKeyframe()
}

// KeyframeRequesterFunc adapts a function to KeyframeRequester.
type KeyframeRequesterFunc func()

// RequestKeyframe calls f.
func (f KeyframeRequesterFunc) RequestKeyframe() { f() }

// Stream is one named stream: the tracks its source feeds and its state.
type Stream struct {
	Name  string
	Video *Track // nil when the stream has no video
	Audio *Track // nil when the stream has no audio
	// MaxViewers caps the stream's viewers; 0 means no per-stream cap.
	MaxViewers int

	bus       *event.Bus
	up        atomic.Bool
	viewers   atomic.Int64
	keyframes atomic.Pointer[keyframeHolder]
	joins     joinBudget // join keyframe requests (keyframe.go)

	// renditions are the stream's transcoded tracks (rendition.go).
	renditions renditionSet

	closeOnce sync.Once
	closed    chan struct{}
}

type keyframeHolder struct{ KeyframeRequester }

// New returns a stream that is down until its source marks it up. Events go
// to bus, which may be nil.
func New(name string, video, audio *Track, bus *event.Bus) *Stream {
	return &Stream{Name: name, Video: video, Audio: audio, bus: bus, closed: make(chan struct{})}
}

// Tracks returns the stream's tracks, video first.
func (s *Stream) Tracks() []*Track {
	var ts []*Track
	if s.Video != nil {
		ts = append(ts, s.Video)
	}
	if s.Audio != nil {
		ts = append(ts, s.Audio)
	}
	return ts
}

// SetKeyframeRequester installs the source's keyframe requester.
func (s *Stream) SetKeyframeRequester(k KeyframeRequester) {
	s.keyframes.Store(&keyframeHolder{k})
}

// RequestKeyframe asks the source for a keyframe, if it can make one.
func (s *Stream) RequestKeyframe() {
	if h := s.keyframes.Load(); h != nil && h.KeyframeRequester != nil {
		h.RequestKeyframe()
	}
}

// SetUp records whether the source is sending, publishing stream.up or
// stream.down when that changes.
func (s *Stream) SetUp(up bool, data map[string]string) {
	if s.up.Swap(up) == up {
		return
	}
	t := event.StreamDown
	if up {
		t = event.StreamUp
	}
	s.Publish(event.Event{Type: t, Data: data})
}

// Up reports whether the source is sending.
func (s *Stream) Up() bool { return s.up.Load() }

// Publish sends e, stamped with the stream's name, to the bus.
func (s *Stream) Publish(e event.Event) {
	if s.bus == nil {
		return
	}
	e.Stream = s.Name
	s.bus.Publish(e)
}

// AddViewer counts a viewer in (delta 1) or out (delta -1) and returns the new count.
func (s *Stream) AddViewer(delta int64) int64 { return s.viewers.Add(delta) }

// Viewers reports how many viewers the stream has.
func (s *Stream) Viewers() int64 { return s.viewers.Load() }

// OnSubscribers has fn called after every change of the subscriptions to
// the stream's source tracks (viewers, outputs, forwards, renditions'
// encoders): a source that runs only on demand (a WHEP pull) starts and
// stops with them. fn runs on the subscribing goroutine with the track's
// lock held: it must not block, subscribe or unsubscribe. nil removes it.
func (s *Stream) OnSubscribers(fn func()) {
	for _, t := range s.Tracks() {
		if fn == nil {
			t.hook.Store(nil)
		} else {
			t.hook.Store(&fn)
		}
	}
}

// Subscribers reports the subscriptions to the stream's source tracks.
func (s *Stream) Subscribers() int {
	n := 0
	for _, t := range s.Tracks() {
		n += t.Subscribers()
	}
	return n
}

// Close marks the stream removed; viewers watching Closed end their sessions.
func (s *Stream) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// Closed is closed when the stream is removed.
func (s *Stream) Closed() <-chan struct{} { return s.closed }
