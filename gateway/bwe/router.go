package bwe

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/stream"
)

// Encoder re-targeting: encoderUpdate is the least change of an aggregate
// that re-targets a rendition's encoder at once; smaller changes wait for
// encoderRefresh.
const (
	encoderUpdate  = 0.03
	encoderRefresh = time.Second
)

// Viewer is what the Router needs of a viewer that sends REMB; egress.Viewer
// is one.
type Viewer interface {
	// ID tells the viewer apart from the other viewers of its stream.
	ID() string
	// Stream is the stream the viewer watches.
	Stream() *stream.Stream
	// Renditions are the transcoded renditions the viewer watches; none
	// when its media passes through.
	Renditions() []*stream.Rendition
	// Done is closed once the viewer has left.
	Done() <-chan struct{}
	// SetKeyframesOnly thins the viewer's video to key frames, or stops.
	SetKeyframesOnly(on bool)
}

// Bounds are the least and the most bitrate, in bits per second, an
// aggregate may take; zero means no bound.
type Bounds struct {
	Min, Max int
}

// RouterConfig wires a Router. Every field may be nil.
type RouterConfig struct {
	// Bounds returns the named stream's REMB bounds (the passthrough
	// aggregate's, whose floor is also the thinning floor) and its
	// transcoder's bitrate bounds (a transcoded rendition's aggregate's).
	Bounds func(stream string) (remb, encoder Bounds)
	// ReceiverREMB returns the REMB of the named stream's RTP receiver
	// ([stream.output]), if it has sent one; Demand honours it.
	ReceiverREMB func(stream string) (bps int, ok bool)
	// Registerer receives the mediagate_remb_viewers_bitrate_bps gauge.
	Registerer prometheus.Registerer
}

// Router is the viewers' side of REMB (docs/remb.md). Every REMB a viewer
// sends lands in one Aggregator per rendition the viewer watches: the
// shared encoder of a transcoded rendition, or the passthrough of the
// source. A transcoded rendition's aggregate sets its encoder's bitrate;
// the passthrough aggregate is the viewers' half of the REMB sent to the
// stream's sender (Demand). A viewer whose own REMB is below the floor is
// thinned to key frames on its own, with a trial of the full stream now
// and then (thin.go). All methods are safe for concurrent use.
type Router struct {
	cfg   RouterConfig
	gauge *prometheus.GaugeVec

	mu      sync.Mutex
	streams map[string]*streamREMB
}

// streamREMB is one stream's aggregates. st tells a restarted stream of the
// same name apart: its aggregates start afresh.
type streamREMB struct {
	st          *stream.Stream
	passthrough *Aggregator
	renditions  map[*stream.Rendition]*encoderTarget
	viewers     map[string]*thinning // viewers that have sent REMB, to forget when they leave
}

// encoderTarget is a transcoded rendition's aggregate and what was last set.
type encoderTarget struct {
	agg   *Aggregator
	set   int
	setAt time.Time
}

// NewRouter returns a Router without aggregates and registers its gauge.
func NewRouter(cfg RouterConfig) *Router {
	r := &Router{
		cfg: cfg,
		gauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "mediagate", Subsystem: "remb", Name: "viewers_bitrate_bps",
			Help: "Aggregate of the viewers' REMB (minimum, smoothed, clamped), by rendition: passthrough or the transcoded codec.",
		}, []string{"stream", "rendition"}),
		streams: make(map[string]*streamREMB),
	}
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(r.gauge)
	}
	return r
}

// OnREMB files the bitrate v can take (its REMB, bounded by its loss) and
// acts on the new aggregate: it thins v or stops thinning it, and
// re-targets v's transcoded rendition. It is egress.Config.OnREMB and runs
// on the viewer's RTCP goroutine.
func (r *Router) OnREMB(v Viewer, bitrate float64) {
	now := time.Now()
	st := v.Stream()
	rd := videoRendition(v)
	r.mu.Lock()
	s := r.stream(st)
	th, known := s.viewers[v.ID()]
	if !known {
		th = &thinning{}
		s.viewers[v.ID()] = th
		go r.forgetOnLeave(st, v)
	}
	var agg *Aggregator
	var target *encoderTarget
	if rd != nil {
		target = r.rendition(s, rd)
		agg = target.agg
	} else {
		agg = s.passthrough
	}
	agg.Update(v.ID(), int(bitrate), now)
	value, ok := agg.Value(now)
	keyframesOnly := th.update(agg.Below(v.ID(), now), int(bitrate), now)
	retarget := target != nil && ok && target.due(value, now)
	r.mu.Unlock()

	v.SetKeyframesOnly(keyframesOnly)
	if ok {
		r.gauge.WithLabelValues(st.Name, renditionLabel(rd)).Set(float64(value))
	}
	if retarget {
		rd.SetBitrate(value)
	}
}

// ViewerDemand returns what the passthrough viewers of the named stream
// can take; ok is false while none has said.
func (r *Router) ViewerDemand(name string) (bps int, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, found := r.streams[name]
	if !found {
		return 0, false
	}
	return s.passthrough.Value(time.Now())
}

// Demand returns what may be asked of the named stream's sender on behalf
// of its consumers, the demand half of Upstream.Value: the lower of the
// passthrough viewers' aggregate and the REMB of the stream's RTP receiver;
// ok is false while neither has said. It takes the Router's lock and
// whatever ReceiverREMB takes, so a caller must not hold a lock of its own.
func (r *Router) Demand(name string) (bps int, ok bool) {
	bps, ok = r.ViewerDemand(name)
	if r.cfg.ReceiverREMB != nil {
		if rx, has := r.cfg.ReceiverREMB(name); has && (!ok || rx < bps) {
			bps, ok = rx, true
		}
	}
	return bps, ok
}

// bounds returns the named stream's REMB and encoder bounds.
func (r *Router) bounds(name string) (remb, encoder Bounds) {
	if r.cfg.Bounds == nil {
		return Bounds{}, Bounds{}
	}
	return r.cfg.Bounds(name)
}

// stream returns the aggregates of st, made afresh when st is new. r.mu is
// held.
func (r *Router) stream(st *stream.Stream) *streamREMB {
	if s, ok := r.streams[st.Name]; ok && s.st == st {
		return s
	}
	b, _ := r.bounds(st.Name)
	s := &streamREMB{
		st: st,
		// The camera follows the slowest passthrough consumer (a viewer, an
		// edge gateway pulling, a forward): FarBelow is for shared encoders.
		passthrough: NewAggregator(AggregatorConfig{Min: b.Min, Max: b.Max, FarBelow: -1}),
		renditions:  make(map[*stream.Rendition]*encoderTarget),
		viewers:     make(map[string]*thinning),
	}
	r.streams[st.Name] = s
	return s
}

// rendition returns the encoder target of rd within s. r.mu is held.
func (r *Router) rendition(s *streamREMB, rd *stream.Rendition) *encoderTarget {
	if t, ok := s.renditions[rd]; ok {
		return t
	}
	_, b := r.bounds(s.st.Name)
	t := &encoderTarget{agg: NewAggregator(AggregatorConfig{Min: b.Min, Max: b.Max}), set: rd.Bitrate()}
	s.renditions[rd] = t
	return t
}

// forgetOnLeave removes v's reports once it has left, and the stream's
// entry once no viewer of it is left.
func (r *Router) forgetOnLeave(st *stream.Stream, v Viewer) {
	<-v.Done()
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.streams[st.Name]
	if !ok || s.st != st {
		return
	}
	delete(s.viewers, v.ID())
	s.passthrough.Remove(v.ID())
	for rd, t := range s.renditions {
		t.agg.Remove(v.ID())
		if _, live := t.agg.Value(time.Now()); !live {
			delete(s.renditions, rd)
		}
	}
	if len(s.viewers) == 0 {
		delete(r.streams, st.Name)
		r.gauge.DeletePartialMatch(prometheus.Labels{"stream": st.Name})
	}
}

// due reports whether value should be set on the encoder now, and records
// it as set when so: on a change of encoderUpdate or more, or once per
// encoderRefresh.
func (t *encoderTarget) due(value int, now time.Time) bool {
	changed := t.set == 0 || abs(value-t.set) >= int(encoderUpdate*float64(t.set))
	if !changed && now.Sub(t.setAt) < encoderRefresh {
		return false
	}
	t.set, t.setAt = value, now
	return true
}

// videoRendition is the transcoded video rendition v watches, or nil when
// its video passes through.
func videoRendition(v Viewer) *stream.Rendition {
	for _, rd := range v.Renditions() {
		if rd.Track.Kind == stream.Video {
			return rd
		}
	}
	return nil
}

// renditionLabel names rd in the metric: "passthrough" or its codec.
func renditionLabel(rd *stream.Rendition) string {
	if rd == nil {
		return "passthrough"
	}
	_, codec, _ := strings.Cut(rd.Track.Codec.MimeType, "/")
	return strings.ToLower(codec)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Consumer is a consumer of a stream's source tracks that is not a
// browser viewer but sends REMB like one: a WHIP forward to another server
// (gateway/forward). Its REMB lands in the same passthrough aggregate as
// the viewers', so the stream's sender slows down for it too.
type Consumer interface {
	// ID tells the consumer apart from the viewers and other consumers of
	// its stream.
	ID() string
	// Stream is the stream the consumer takes.
	Stream() *stream.Stream
	// Done is closed once the consumer has gone.
	Done() <-chan struct{}
}

// OnConsumerREMB files a consumer's REMB, as OnREMB does a viewer's. A
// consumer takes the source's own tracks, or the renditions its
// Renditions method returns when it has one (a forward whose endpoint
// refused the source codec), and is never thinned: below the floor it
// holds the demand at the floor and gets the whole stream.
func (r *Router) OnConsumerREMB(c Consumer, bitrate float64) {
	r.OnREMB(consumerViewer{c}, bitrate)
}

// consumerViewer gives a Consumer the Viewer methods it lacks.
type consumerViewer struct{ Consumer }

// Renditions are the consumer's, when it says which it takes.
func (c consumerViewer) Renditions() []*stream.Rendition {
	if r, ok := c.Consumer.(interface{ Renditions() []*stream.Rendition }); ok {
		return r.Renditions()
	}
	return nil
}

func (consumerViewer) SetKeyframesOnly(bool) {}
