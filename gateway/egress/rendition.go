package egress

import (
	"strings"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
)

// Renditions supplies transcoded renditions of a stream's tracks: a source
// track re-encoded in another codec, shared by every viewer who needs it.
// The gateway implements it with transcoder pipelines; egress only decides,
// per viewer and track, whether to pass the source through or to attach a
// rendition.
type Renditions interface {
	// Policy says how src, a track of st, may be transcoded.
	Policy(st *stream.Stream, src *stream.Track) RenditionPolicy
	// Acquire returns the rendition of src in the codec mime, starting it
	// when none runs, and a function that gives it back (called once, when
	// the viewer leaves); the rendition stops after the last viewer gave it
	// back. reason says why the viewer needs it, for transcoding.active.
	Acquire(st *stream.Stream, src *stream.Track, mime, reason string) (*stream.Rendition, func(), error)
}

// RenditionPolicy is how a track may be transcoded.
type RenditionPolicy struct {
	// Targets are the MIME types the track can be transcoded to; empty when
	// the stream does not transcode (or the binary has no codecs).
	Targets []string
	// BFrames is set once the H.264 source was seen sending B-frames: a
	// viewer that takes H.264 then gets the constrained-baseline rendition.
	BFrames bool
	// StrictProfiles gives the constrained-baseline rendition to a viewer
	// that did not offer the source's H.264 profile.
	StrictProfiles bool
}

// Reasons a viewer gets a rendition, as transcoding.active reports them.
const (
	ReasonCodec   = "viewer does not take the source codec"
	ReasonBFrames = "source sends B-frames"
	ReasonProfile = "viewer did not offer the source profile"
)

// planTrack plans one source track for a viewer's m-section: the source
// itself when the viewer takes it and the policy does not say otherwise,
// else the best rendition the viewer takes. A passthrough plan is kept
// when no rendition can be had.
func (m *Manager) planTrack(st *stream.Stream, src *stream.Track, media *offerMedia) (*trackPlan, error) {
	direct, err := planTrack(src, media)
	if direct != nil {
		direct.requestKeyframe, direct.joinKeyframe = st.RequestKeyframe, st.RequestKeyframeForJoin
	}
	if m.cfg.Renditions == nil {
		return direct, err
	}
	pol := m.cfg.Renditions.Policy(st, src)
	reason := ReasonCodec
	switch {
	case err != nil:
	case isH264(src.Codec.MimeType) && pol.BFrames:
		reason = ReasonBFrames
	case direct.mismatch && pol.StrictProfiles:
		reason = ReasonProfile
	default:
		return direct, nil
	}
	for _, mime := range chooseTargets(st, src, pol, media, err == nil) {
		if p := m.renditionPlan(st, src, media, mime, reason); p != nil {
			return p, nil
		}
	}
	return direct, err
}

// renditionPlan acquires the rendition of src in mime and plans it, or
// returns nil.
func (m *Manager) renditionPlan(st *stream.Stream, src *stream.Track, media *offerMedia, mime, reason string) *trackPlan {
	r, release, err := m.cfg.Renditions.Acquire(st, src, mime, reason)
	if err != nil {
		m.cfg.Log.Warn("no rendition for a viewer", "stream", st.Name, "from", src.Codec.MimeType, "to", mime, "err", err)
		return nil
	}
	p, err := planTrack(r.Track, media)
	if err != nil {
		release()
		return nil
	}
	// The encoder keeps its own KeyframeGap: a join asks it like a PLI.
	p.requestKeyframe, p.joinKeyframe, p.release, p.rendition = r.RequestKeyframe, r.RequestKeyframe, release, r
	return p
}

// chooseTargets orders the policy's targets the viewer offered: a rendition
// already running first (it is shared), then the viewer's own order. When
// the viewer takes the source's codec (sameCodec), only a rendition in that
// codec — constrained-baseline H.264 — makes sense.
func chooseTargets(st *stream.Stream, src *stream.Track, pol RenditionPolicy, media *offerMedia, sameCodec bool) []string {
	var offered []string
	for _, c := range media.codecs {
		for _, t := range pol.Targets {
			if strings.EqualFold(c.mime, t) && !containsFold(offered, t) &&
				(!sameCodec || strings.EqualFold(t, src.Codec.MimeType)) {
				offered = append(offered, t)
			}
		}
	}
	var running, idle []string
	for _, t := range offered {
		if st.Rendition(src, t) != nil {
			running = append(running, t)
		} else {
			idle = append(idle, t)
		}
	}
	return append(running, idle...)
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// keyframeFor returns what PLI and FIR on the sender of track t do: ask the
// producer of t's plan for a keyframe, as a join request during the
// viewer's first joinWindow (a browser's first PLI is not coalesced into
// the request its join made) and as a regular one after it.
func (v *Viewer) keyframeFor(t any, plans []*trackPlan) func() {
	regular, join := v.stream.RequestKeyframe, v.stream.RequestKeyframeForJoin
	for i, ot := range v.tracks {
		if any(ot) == t && i < len(plans) {
			regular, join = plans[i].requestKeyframe, plans[i].requestJoinKeyframe
			break
		}
	}
	return func() {
		if v.joining(time.Now()) {
			join()
		} else {
			regular()
		}
	}
}

// Renditions returns the renditions the viewer watches, for bandwidth
// estimation to steer their encoders.
func (v *Viewer) Renditions() []*stream.Rendition {
	var out []*stream.Rendition
	for _, p := range v.plans {
		if p.rendition != nil {
			out = append(out, p.rendition)
		}
	}
	return out
}
