package transcoder

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/internal/ratelog"
)

// Defaults of Config's zero fields.
const (
	DefaultVideoBitrate = 1_500_000
	DefaultAudioBitrate = 64_000
	// DefaultKeyframeGap is the least time between two key frames forced
	// for viewers: a joining viewer waits at most this long, and a storm of
	// PLIs costs at most this many key frames a second.
	DefaultKeyframeGap = 250 * time.Millisecond
	// sourceKeyframeGap is the least time between two keyframe requests the
	// pipeline sends its source (ingest throttles them again).
	sourceKeyframeGap = 500 * time.Millisecond
)

// Config sets up a Pipeline.
type Config struct {
	// From and To are the source's and the output's MIME types.
	From, To string
	// Codecs opens the decoder and encoder.
	Codecs Codecs
	// ParameterSets are the source's out-of-band H.264 SPS and PPS, or
	// H.265 VPS, SPS and PPS, in decoding order.
	ParameterSets [][]byte
	// Fmtp is the source's a=fmtp value (for AAC, its RFC 3640 parameters).
	Fmtp string
	// ClockRate and Channels are the source's (for audio).
	ClockRate, Channels int
	// PayloadType and SSRC are stamped on the output; SSRC 0 picks one.
	PayloadType uint8
	SSRC        uint32
	// MTU is the largest payload written; 0 means DefaultMTU.
	MTU int
	// Output receives the packets.
	Output Output
	// Bitrate is the starting target, clamped to [MinBitrate, MaxBitrate]
	// when those are set; 0 means DefaultVideoBitrate or DefaultAudioBitrate.
	Bitrate, MinBitrate, MaxBitrate int
	// KeyframeGap throttles forced key frames; 0 means DefaultKeyframeGap.
	KeyframeGap time.Duration
	// MaxPixels caps the picture size; 0 means DefaultMaxPixels.
	MaxPixels int
	// RequestKeyframe asks the source for a keyframe (may be nil).
	RequestKeyframe func()
	// OnEncode, when set, sees how long each picture took to encode.
	OnEncode func(time.Duration)
	// Stream labels metrics and logs; Metrics may be nil; Log nil discards.
	Stream  string
	Metrics *Metrics
	Log     *slog.Logger
}

// Stats are a pipeline's counters since it started.
type Stats struct {
	FramesIn, FramesOut, Dropped, Keyframes uint64
	// BytesOut counts RTP payload bytes written.
	BytesOut uint64
}

// stage is the decode-encode half of a pipeline for one media kind.
type stage interface {
	accessUnit(au *AccessUnit)
	mapTimestamp(ts uint32) uint32
	close()
}

// Pipeline transcodes one RTP stream: Write takes the source's packets and
// Config.Output receives the transcoded ones, before Write returns. Write
// and Close are serialized by a mutex, so the C objects are used by one
// goroutine at a time; RequestKeyframe and SetBitrate may be called from
// any goroutine.
type Pipeline struct {
	cfg    Config
	log    *slog.Logger
	errs   *ratelog.Logger
	m      *pipelineMetrics
	depack Depacketizer
	emit   func(*AccessUnit)

	mu     sync.Mutex
	stage  stage
	closed bool

	forceKey atomic.Bool
	bitrate  atomic.Int64
	stats    struct{ in, out, dropped, keyframes, bytes atomic.Uint64 }
}

// New builds a pipeline and opens its decoder (the encoder opens on the
// first picture, whose size it needs). Errors wrap ErrUnavailable when the
// codecs are not built in and ErrUnsupported for a pair it cannot convert.
func New(cfg Config) (*Pipeline, error) {
	if !cfg.Codecs.Available {
		return nil, ErrUnavailable
	}
	if cfg.Output == nil {
		return nil, fmt.Errorf("%w: no output", ErrUnsupported)
	}
	cfg = withDefaults(cfg)
	p := &Pipeline{cfg: cfg, log: cfg.Log, errs: ratelog.New(cfg.Log)}
	p.m = cfg.Metrics.forPipeline(cfg.Stream, cfg.From, cfg.To)
	p.emit = p.accessUnit
	p.bitrate.Store(int64(cfg.Bitrate))
	var err error
	if !SameCodec(cfg.From, RawVideo) && !SameCodec(cfg.From, RawAudio) {
		if p.depack, err = NewDepacketizer(cfg.From, cfg.ParameterSets, cfg.Fmtp); err != nil {
			return nil, err
		}
	}
	switch {
	case mimeKind(cfg.From) == "video" && mimeKind(cfg.To) == "video":
		p.stage, err = newVideoStage(p)
	case (SameCodec(cfg.From, AAC) || SameCodec(cfg.From, RawAudio)) && SameCodec(cfg.To, Opus):
		p.stage, err = newAudioStage(p)
	default:
		err = fmt.Errorf("%w: %s to %s", ErrUnsupported, cfg.From, cfg.To)
	}
	if err != nil {
		return nil, err
	}
	p.m.running.Inc()
	p.m.bitrate.Set(float64(cfg.Bitrate))
	return p, nil
}

func withDefaults(c Config) Config {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.SSRC == 0 {
		c.SSRC = rand.Uint32() | 1
	}
	if c.KeyframeGap <= 0 {
		c.KeyframeGap = DefaultKeyframeGap
	}
	if c.MaxPixels <= 0 {
		c.MaxPixels = DefaultMaxPixels
	}
	if c.Bitrate <= 0 {
		c.Bitrate = DefaultVideoBitrate
		if mimeKind(c.To) == "audio" {
			c.Bitrate = DefaultAudioBitrate
		}
	}
	c.Bitrate = clampBitrate(c.Bitrate, c.MinBitrate, c.MaxBitrate)
	return c
}

func clampBitrate(bps, lo, hi int) int {
	if lo > 0 && bps < lo {
		bps = lo
	}
	if hi > 0 && bps > hi {
		bps = hi
	}
	return bps
}

// Write transcodes one source packet. Damaged input is dropped and
// counted, never returned as an error.
func (p *Pipeline) Write(h *rtp.Header, payload []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.depack == nil {
		return
	}
	p.depack.Push(h, payload, p.emit)
}

// WritePicture encodes one picture of a RawVideo pipeline, such as a test
// pattern's; the picture may be reused once it returns.
func (p *Pipeline) WritePicture(pic *Picture) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.stage.(*videoStage); ok && !p.closed && v.dec == nil {
		p.stats.in.Add(1)
		p.m.framesIn.Inc()
		v.encode(pic)
	}
}

// WriteSamples encodes interleaved 48 kHz samples of a RawAudio pipeline,
// whose first sample has RTP timestamp ts (48 kHz); the slice may be reused
// once it returns.
func (p *Pipeline) WriteSamples(pcm []int16, ts uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if a, ok := p.stage.(*audioStage); ok && !p.closed && a.dec == nil {
		p.stats.in.Add(1)
		p.m.framesIn.Inc()
		a.samples(pcm, ts)
	}
}

func (p *Pipeline) accessUnit(au *AccessUnit) {
	p.stats.in.Add(1)
	p.m.framesIn.Inc()
	p.stage.accessUnit(au)
}

// drop counts a dropped frame.
func (p *Pipeline) drop(reason string, err error) {
	p.stats.dropped.Add(1)
	p.m.dropped[reason].Inc()
	if err != nil && reason != DropWaitKey {
		p.errs.Warn("transcoder dropped a frame", "reason", reason, "err", err)
	}
}

// sent counts one encoded frame of n payload bytes.
func (p *Pipeline) sent(n int, encode time.Duration) {
	p.stats.out.Add(1)
	p.stats.bytes.Add(uint64(n))
	p.m.framesOut.Inc()
	p.m.encode.Observe(encode.Seconds())
	if p.cfg.OnEncode != nil {
		p.cfg.OnEncode(encode)
	}
}

// Prime turns decode-only on and off for a video pipeline. While it is on,
// Write decodes and encodes nothing: a bridge feeds it a group of pictures
// from its keyframe up to now, faster than real time, or keeps its decoder
// current while no one watches. Turning it off encodes the latest picture
// decoded meanwhile at once, as a key frame, and reports whether that
// went out; later pictures are encoded as they come.
func (p *Pipeline) Prime(on bool) (encoded bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.stage.(*videoStage)
	if !ok || p.closed {
		return false
	}
	return v.prime(on)
}

// RequestKeyframe makes the encoder produce a key frame soon: at once, or
// once KeyframeGap has passed since the last forced one.
func (p *Pipeline) RequestKeyframe() { p.forceKey.Store(true) }

// SetBitrate sets the encoder's target, clamped to the configured bounds,
// from the next frame on, and returns the target set.
func (p *Pipeline) SetBitrate(bps int) int {
	bps = clampBitrate(bps, p.cfg.MinBitrate, p.cfg.MaxBitrate)
	if bps > 0 {
		p.bitrate.Store(int64(bps))
	}
	return int(p.bitrate.Load())
}

// Bitrate returns the encoder's target in bits per second.
func (p *Pipeline) Bitrate() int { return int(p.bitrate.Load()) }

// MapTimestamp converts a source RTP timestamp to the output's clock, for
// the Sender Reports of the derived track. It is exact for video (the same
// 90 kHz clock) and follows the resampling for audio.
func (p *Pipeline) MapTimestamp(ts uint32) uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ts
	}
	return p.stage.mapTimestamp(ts)
}

// Stats returns the pipeline's counters.
func (p *Pipeline) Stats() Stats {
	return Stats{
		FramesIn: p.stats.in.Load(), FramesOut: p.stats.out.Load(), Dropped: p.stats.dropped.Load(),
		Keyframes: p.stats.keyframes.Load(), BytesOut: p.stats.bytes.Load(),
	}
}

// Close releases the decoder and encoder. It is idempotent and waits for a
// Write in progress.
func (p *Pipeline) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.stage.close()
	p.m.running.Dec()
	return nil
}
