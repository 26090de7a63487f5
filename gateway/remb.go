package gateway

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/bwe"
	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/gateway/stream"
)

// The viewers' side of REMB (see docs/remb.md). Every REMB a viewer sends
// (egress.Config.OnREMB) lands in one bwe.Aggregator per rendition the
// viewer watches: the shared encoder of a transcoded rendition, or the
// passthrough of the source. The aggregate is the minimum over the viewers,
// smoothed and clamped to the stream's bounds, so that one viewer on a bad
// link cannot drag everyone to nothing: a viewer below the floor is thinned
// to key frames on its own (egress.Viewer.SetKeyframesOnly), with a trial
// of the full stream now and then (rembthin.go).
//
//   - A transcoded rendition's aggregate sets its encoder's bitrate.
//   - The passthrough aggregate is the viewers' half of the REMB sent to the
//     stream's sender (ingest and WHIP call viewerDemand); the other half is
//     the sender's link estimate.

// encoderUpdate is the least change of an aggregate that re-targets a
// rendition's encoder at once; smaller changes wait for encoderRefresh.
const (
	encoderUpdate  = 0.03
	encoderRefresh = time.Second
)

// rembRouter holds the aggregates of every stream, by stream name.
type rembRouter struct {
	settings func(name string) (lo, hi, tlo, thi int) // REMB and transcode bounds, bit/s
	gauge    *prometheus.GaugeVec

	mu      sync.Mutex
	streams map[string]*streamREMB
}

// streamREMB is one stream's aggregates. st tells a restarted stream of the
// same name apart: its aggregates start afresh.
type streamREMB struct {
	st          *stream.Stream
	passthrough *bwe.Aggregator
	renditions  map[*stream.Rendition]*encoderTarget
	viewers     map[string]*thinning // viewers that have sent REMB, to forget when they leave
}

// encoderTarget is a transcoded rendition's aggregate and what was last set.
type encoderTarget struct {
	agg   *bwe.Aggregator
	set   int
	setAt time.Time
}

func newREMBRouter(reg prometheus.Registerer, settings func(string) (lo, hi, tlo, thi int)) *rembRouter {
	r := &rembRouter{
		settings: settings,
		gauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "mediagate", Subsystem: "remb", Name: "viewers_bitrate_bps",
			Help: "Aggregate of the viewers' REMB (minimum, smoothed, clamped), by rendition: passthrough or the transcoded codec.",
		}, []string{"stream", "rendition"}),
		streams: make(map[string]*streamREMB),
	}
	if reg != nil {
		reg.MustRegister(r.gauge)
	}
	return r
}

// onREMB is egress.Config.OnREMB: it runs on the viewer's RTCP goroutine.
func (r *rembRouter) onREMB(v *egress.Viewer, bitrate float64) {
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
	var agg *bwe.Aggregator
	var target *encoderTarget
	if rd != nil {
		target = r.rendition(s, rd)
		agg = target.agg
	} else {
		agg = s.passthrough
	}
	agg.Update(v.ID(), int(bitrate), now)
	value, ok := agg.Value(now)
	keyframesOnly := th.update(agg.Below(v.ID(), now), now)
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

// viewerDemand returns what the passthrough viewers of the named stream can
// take, for the REMB sent to its sender; ok is false while none has said.
func (r *rembRouter) viewerDemand(name string) (bps int, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, found := r.streams[name]
	if !found {
		return 0, false
	}
	return s.passthrough.Value(time.Now())
}

// stream returns the aggregates of st, made afresh when st is new. r.mu is
// held.
func (r *rembRouter) stream(st *stream.Stream) *streamREMB {
	if s, ok := r.streams[st.Name]; ok && s.st == st {
		return s
	}
	lo, hi, _, _ := r.settings(st.Name)
	s := &streamREMB{
		st:          st,
		passthrough: bwe.NewAggregator(bwe.AggregatorConfig{Min: lo, Max: hi}),
		renditions:  make(map[*stream.Rendition]*encoderTarget),
		viewers:     make(map[string]*thinning),
	}
	r.streams[st.Name] = s
	return s
}

// rendition returns the encoder target of rd within s. r.mu is held.
func (r *rembRouter) rendition(s *streamREMB, rd *stream.Rendition) *encoderTarget {
	if t, ok := s.renditions[rd]; ok {
		return t
	}
	_, _, lo, hi := r.settings(s.st.Name)
	t := &encoderTarget{agg: bwe.NewAggregator(bwe.AggregatorConfig{Min: lo, Max: hi}), set: rd.Bitrate()}
	s.renditions[rd] = t
	return t
}

// forgetOnLeave removes v's reports once it has left, and the stream's
// entry once no viewer of it is left.
func (r *rembRouter) forgetOnLeave(st *stream.Stream, v *egress.Viewer) {
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
func videoRendition(v *egress.Viewer) *stream.Rendition {
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

// rembBounds returns the named stream's REMB bounds and its transcoder's
// bitrate bounds, in bit/s.
func (g *Gateway) rembBounds(name string) (lo, hi, tlo, thi int) {
	sc := g.streamSettings(name)
	return sc.REMB.MinBitrate * 1000, sc.REMB.MaxBitrate * 1000,
		sc.Transcode.MinBitrate * 1000, sc.Transcode.MaxBitrate * 1000
}

// senderDemand returns what may be asked of the named stream's sender on
// behalf of its consumers: the lower of the passthrough viewers' aggregate
// REMB and the REMB of the stream's RTP receiver ([stream.output]); ok is
// false while neither has said. Ingest and the WHIP publishers ask it for
// every REMB they send.
func (g *Gateway) senderDemand(name string) (bps int, ok bool) {
	bps, ok = g.remb.viewerDemand(name)
	if r, has := g.outputs.REMB(name); has && (!ok || r < bps) {
		bps, ok = r, true
	}
	return bps, ok
}
