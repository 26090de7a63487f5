package gateway

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/gateway/testsrc"
	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/codecs"
)

// transcoding runs the gateway's in-process encoders: the transcoded
// renditions viewers share (it is egress's Renditions) and the sources of
// testpattern streams. A rendition starts with the first viewer that needs
// it, is shared by every viewer of its stream, source track and codec, and
// stops the stream's transcode.grace_period after the last one leaves;
// transcoding.active and transcoding.inactive mark both ends.
type transcoding struct {
	log      *slog.Logger
	codecs   transcoder.Codecs
	metrics  *transcoder.Metrics
	settings func(name string) config.Stream // a stream's running definition
	depth    int                             // subscription queue of each pipeline

	mu       sync.Mutex
	running  map[renditionKey]*rendition
	probes   map[*stream.Track]*bframeProbe
	patterns map[string]*testsrc.Source
	closed   bool
}

// renditionKey names a rendition: a stream's source track in a codec.
type renditionKey struct {
	st   *stream.Stream
	src  *stream.Track
	mime string // lower case
}

func (g *Gateway) newTranscoding() *transcoding {
	tc := &transcoding{
		log:      g.log.With("component", "transcoder"),
		codecs:   codecs.Default(),
		metrics:  transcoder.NewMetrics(g.reg),
		settings: g.streamSettings,
		depth:    g.cfg.WebRTC.QueueDepth,
		running:  make(map[renditionKey]*rendition),
		probes:   make(map[*stream.Track]*bframeProbe),
		patterns: make(map[string]*testsrc.Source),
	}
	if !tc.codecs.Available {
		tc.log.Warn("built without codecs (cgo): no transcoding, and testpattern streams stay down")
	}
	return tc
}

// streamSettings returns the running definition of the named stream, or
// the defaults for a stream the config does not hold (the sender API's).
func (g *Gateway) streamSettings(name string) config.Stream {
	if sc := streamNamed(g.config(), name); sc != nil {
		return *sc
	}
	var sc config.Stream
	sc.FillDefaults()
	return sc
}

// renditionTargets are the codecs a source codec is transcoded to: the
// other video codec, H.264 constrained baseline for H.264 sources that need
// it, Opus for AAC.
func renditionTargets(mime string) []string {
	switch {
	case strings.EqualFold(mime, transcoder.H264):
		return []string{transcoder.VP8, transcoder.H264}
	case strings.EqualFold(mime, transcoder.VP8):
		return []string{transcoder.H264}
	case strings.EqualFold(mime, transcoder.AAC):
		return []string{transcoder.Opus}
	}
	return nil
}

// Policy implements egress.Renditions.
func (tc *transcoding) Policy(st *stream.Stream, src *stream.Track) egress.RenditionPolicy {
	sc := tc.settings(st.Name)
	if !tc.codecs.Available || sc.Transcode.Mode == config.TranscodeOff {
		return egress.RenditionPolicy{}
	}
	return egress.RenditionPolicy{
		Targets:        renditionTargets(src.Codec.MimeType),
		BFrames:        tc.bframes(st, src),
		StrictProfiles: sc.Transcode.StrictProfiles,
	}
}

// Acquire implements egress.Renditions.
func (tc *transcoding) Acquire(st *stream.Stream, src *stream.Track, mime, reason string) (*stream.Rendition, func(), error) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.closed {
		return nil, nil, transcoder.ErrClosed
	}
	key := renditionKey{st: st, src: src, mime: strings.ToLower(mime)}
	rd := tc.running[key]
	if rd == nil {
		var err error
		if rd, err = tc.start(key, mime, reason); err != nil {
			return nil, nil, err
		}
		tc.running[key] = rd
	}
	rd.refs++
	if rd.grace != nil {
		rd.grace.Stop()
		rd.grace = nil
	}
	var once sync.Once
	return rd.r, func() { once.Do(func() { tc.release(key, rd) }) }, nil
}

// release gives back one viewer's hold on rd; the last one starts the
// grace period.
func (tc *transcoding) release(key renditionKey, rd *rendition) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	rd.refs--
	if rd.refs > 0 || tc.closed || tc.running[key] != rd {
		return
	}
	grace := tc.settings(key.st.Name).Transcode.GracePeriod.D()
	rd.grace = time.AfterFunc(grace, func() { tc.expire(key, rd) })
}

// expire stops rd when no viewer took it back during the grace period.
func (tc *transcoding) expire(key renditionKey, rd *rendition) {
	tc.mu.Lock()
	if rd.refs > 0 || tc.running[key] != rd {
		tc.mu.Unlock()
		return
	}
	delete(tc.running, key)
	tc.mu.Unlock()
	rd.stop("no viewers")
}

// forget removes rd, which stops by itself (its stream was removed).
func (tc *transcoding) forget(rd *rendition) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.running[rd.key] == rd {
		delete(tc.running, rd.key)
	}
	if rd.grace != nil {
		rd.grace.Stop()
	}
}

// Close stops every rendition and test pattern. It is idempotent.
func (tc *transcoding) Close() {
	tc.mu.Lock()
	tc.closed = true
	var rds []*rendition
	for _, rd := range tc.running {
		if rd.grace != nil {
			rd.grace.Stop()
		}
		rds = append(rds, rd)
	}
	tc.running = map[renditionKey]*rendition{}
	patterns := tc.patterns
	tc.patterns = map[string]*testsrc.Source{}
	tc.mu.Unlock()
	for _, rd := range rds {
		rd.stop("shutdown")
	}
	for _, p := range patterns {
		p.Close()
	}
}

// describeRenditions adds a stream's running renditions to its API
// description ("renditions": codec, source codec, reason, bitrate), or
// returns nil when it has none.
func describeRenditions(st *stream.Stream) map[string]any {
	rs := st.Renditions()
	if len(rs) == 0 {
		return nil
	}
	list := make([]map[string]any, 0, len(rs))
	for _, r := range rs {
		list = append(list, map[string]any{
			"codec": r.Track.Codec.MimeType, "from": r.Source.Codec.MimeType,
			"reason": r.Reason, "bitrate": r.Bitrate(), "subscribers": r.Track.Subscribers(),
		})
	}
	return map[string]any{"renditions": list}
}
