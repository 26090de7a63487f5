package rendition

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/gateway/testsrc"
	"mediagate.dev/mediagate/transcoder"
)

// defaultQueueDepth is a pipeline's subscription queue when Config leaves
// it 0 (config's webrtc.queue_depth default).
const defaultQueueDepth = 512

// Config is what a Manager needs from the gateway. Every field may be left
// zero.
type Config struct {
	// Log receives the renditions' and test patterns' logs; nil discards.
	Log *slog.Logger
	// Codecs opens the decoders and encoders. The zero value has none
	// (Available false): nothing is transcoded and test patterns stay down.
	Codecs transcoder.Codecs
	// Metrics counts the pipelines (mediagate_transcoder_*); nil counts
	// nothing.
	Metrics *transcoder.Metrics
	// Settings returns a stream's running definition, read when a viewer
	// asks for a policy and when a rendition starts or is released; nil
	// means every stream has the defaults.
	Settings func(name string) config.Stream
	// QueueDepth is the subscription queue of each pipeline, in packets;
	// 0 means 512.
	QueueDepth int
	// MaxBridges caps the bridges running at once (webrtc.max_bridges); 0
	// runs none.
	MaxBridges int
	// Registerer takes the bridges' metrics (mediagate_start_*); nil
	// registers nothing. Streams lists the streams whose GOP memory they
	// report.
	Registerer prometheus.Registerer
	Streams    func() []*stream.Stream
}

// Manager runs the gateway's in-process encoders: the transcoded
// renditions viewers share (it implements egress.Renditions) and the
// sources of testpattern streams. A rendition starts with the first viewer
// that needs it, is shared by every viewer of its stream, source track and
// codec, and stops the stream's transcode.grace_period after the last one
// leaves; transcoding.active and transcoding.inactive mark both ends.
// Create one with New; its methods are safe for concurrent use.
type Manager struct {
	log      *slog.Logger
	codecs   transcoder.Codecs
	metrics  *transcoder.Metrics
	settings func(name string) config.Stream // a stream's running definition
	depth    int                             // subscription queue of each pipeline

	maxBridges int
	bm         *bridgeMetrics
	gaveUp     map[string]time.Time // when a stream's bridge last logged giving up; guarded by mu

	mu       sync.Mutex
	running  map[renditionKey]*transcoded
	bridges  map[*stream.Track]*bridge
	probes   map[*stream.Track]*bframeProbe
	patterns map[string]*testsrc.Source
	closed   bool
}

var _ egress.Renditions = (*Manager)(nil)

// renditionKey names a rendition: a stream's source track in a codec.
type renditionKey struct {
	st   *stream.Stream
	src  *stream.Track
	mime string // lower case
}

// New returns a Manager with cfg, which runs nothing until a viewer or a
// test pattern asks. It logs a warning when cfg has no codecs.
func New(cfg Config) *Manager {
	m := &Manager{
		log:      cfg.Log,
		codecs:   cfg.Codecs,
		metrics:  cfg.Metrics,
		settings: cfg.Settings,
		depth:    cfg.QueueDepth,
		running:  make(map[renditionKey]*transcoded),
		probes:   make(map[*stream.Track]*bframeProbe),
		patterns: make(map[string]*testsrc.Source),
		bridges:  make(map[*stream.Track]*bridge),

		maxBridges: cfg.MaxBridges,
		bm:         newBridgeMetrics(cfg.Registerer, cfg.Streams),
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.gaveUp = make(map[string]time.Time)
	if m.settings == nil {
		m.settings = defaultSettings
	}
	if m.depth <= 0 {
		m.depth = defaultQueueDepth
	}
	if !m.codecs.Available {
		m.log.Warn("built without codecs (cgo): no transcoding, testpattern streams stay down, and viewers who join between keyframes wait for the next (no instant start)")
	}
	return m
}

// defaultSettings is a stream's definition when Config has no Settings.
func defaultSettings(string) config.Stream {
	var sc config.Stream
	sc.FillDefaults()
	return sc
}

// renditionTargets are the codecs a source codec is transcoded to: the
// other video codec, H.264 constrained baseline for H.264 sources that need
// it, H.264 or VP8 for H.265 (which mediagate decodes but never encodes),
// Opus for AAC.
func renditionTargets(mime string) []string {
	switch {
	case strings.EqualFold(mime, transcoder.H265):
		return []string{transcoder.H264, transcoder.VP8}
	case strings.EqualFold(mime, transcoder.H264):
		return []string{transcoder.VP8, transcoder.H264}
	case strings.EqualFold(mime, transcoder.VP8):
		return []string{transcoder.H264}
	case strings.EqualFold(mime, transcoder.AAC):
		return []string{transcoder.Opus}
	}
	return nil
}

// Policy implements egress.Renditions: the codecs src may be transcoded
// to, whether it sends B-frames (the first call for an H.264 track waits
// briefly for the probe's verdict) and the stream's strict_profiles.
func (m *Manager) Policy(st *stream.Stream, src *stream.Track) egress.RenditionPolicy {
	sc := m.settings(st.Name)
	if !m.codecs.Available || sc.Transcode.Mode == config.TranscodeOff {
		return egress.RenditionPolicy{}
	}
	return egress.RenditionPolicy{
		Targets:        renditionTargets(src.Codec.MimeType),
		BFrames:        m.bframes(st, src),
		StrictProfiles: sc.Transcode.StrictProfiles,
	}
}

// Targets returns the codecs src may be transcoded to now (Policy's
// Targets): what a forward offers when its endpoint refuses the source's
// codec (gateway/forward).
func (m *Manager) Targets(st *stream.Stream, src *stream.Track) []string {
	return m.Policy(st, src).Targets
}

// Acquire implements egress.Renditions: it returns the running rendition
// of src in mime, starting it when none runs, and the function that gives
// the viewer's hold back. After Close it returns transcoder.ErrClosed.
func (m *Manager) Acquire(st *stream.Stream, src *stream.Track, mime, reason string) (*stream.Rendition, func(), error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, nil, transcoder.ErrClosed
	}
	key := renditionKey{st: st, src: src, mime: strings.ToLower(mime)}
	rd := m.running[key]
	if rd == nil {
		var err error
		if rd, err = m.start(key, mime, reason); err != nil {
			return nil, nil, err
		}
		m.running[key] = rd
	}
	rd.refs++
	if rd.grace != nil {
		rd.grace.Stop()
		rd.grace = nil
	}
	var once sync.Once
	return rd.r, func() { once.Do(func() { m.release(key, rd) }) }, nil
}

// release gives back one viewer's hold on rd; the last one starts the
// grace period.
func (m *Manager) release(key renditionKey, rd *transcoded) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rd.refs--
	if rd.refs > 0 || m.closed || m.running[key] != rd {
		return
	}
	grace := m.settings(key.st.Name).Transcode.GracePeriod.D()
	rd.grace = time.AfterFunc(grace, func() { m.expire(key, rd) })
}

// expire stops rd when no viewer took it back during the grace period.
func (m *Manager) expire(key renditionKey, rd *transcoded) {
	m.mu.Lock()
	if rd.refs > 0 || m.running[key] != rd {
		m.mu.Unlock()
		return
	}
	delete(m.running, key)
	m.mu.Unlock()
	rd.stop("no viewers")
}

// forget removes rd, which stops by itself (its stream was removed).
func (m *Manager) forget(rd *transcoded) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running[rd.key] == rd {
		delete(m.running, rd.key)
	}
	if rd.grace != nil {
		rd.grace.Stop()
	}
}

// Close stops every rendition and test pattern and waits for the
// renditions' goroutines; later Acquires fail and later patterns are
// closed at once. It is idempotent.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	var rds []*transcoded
	for _, rd := range m.running {
		if rd.grace != nil {
			rd.grace.Stop()
		}
		rds = append(rds, rd)
	}
	m.running = map[renditionKey]*transcoded{}
	patterns := m.patterns
	m.patterns = map[string]*testsrc.Source{}
	var bridges []*bridge
	for _, b := range m.bridges {
		if b.grace != nil {
			b.grace.Stop()
		}
		bridges = append(bridges, b)
	}
	m.bridges = map[*stream.Track]*bridge{}
	m.mu.Unlock()
	for _, rd := range rds {
		rd.stop("shutdown")
	}
	for _, b := range bridges {
		b.stop("shutdown")
	}
	for _, p := range patterns {
		p.Close()
	}
}
