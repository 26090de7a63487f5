package transcoder

import (
	"fmt"
	"sync"
)

// EncoderCore is the C half of one open video encoder: the calls a cgo leaf
// package (vpxenc, x264enc) makes into its codec library. A CoreEncoder
// makes every call under its mutex, so a core is never used by two
// goroutines at once.
type EncoderCore interface {
	// Encode compresses p into out with one call into C, forcing a key
	// frame if keyframe is set. pts is the picture's strictly increasing
	// timestamp and duration its display time, both in 90 kHz ticks. It
	// returns how many bytes of out hold the frame (0 when rate control
	// dropped the picture) and whether the frame is a key frame; an error
	// wraps ErrEncode.
	Encode(p *Picture, pts, duration int64, keyframe bool, out []byte) (n int, key bool, err error)
	// SetBitrate sets the target in kbit/s from the next Encode on; an
	// error wraps ErrEncode.
	SetBitrate(kbps int) error
	// Close releases the C encoder. It is called once.
	Close()
}

// CoreEncoder implements VideoEncoder around an EncoderCore, with the Go
// side every cgo video encoder shares: it checks each picture before C sees
// it, turns RTP timestamps into the 64-bit clock encoders require, applies
// a new bitrate before the next picture, owns the output buffer, and
// refuses use after Close. Its mutex guards the core.
type CoreEncoder struct {
	mu      sync.Mutex
	core    EncoderCore // nil once closed
	cfg     VideoEncoderConfig
	clock   PTSClock
	nominal int64 // one frame at cfg.FPS, in 90 kHz ticks
	lastPTS int64
	started bool
	out     []byte
	bitrate int // bits per second asked for
	applied int // bits per second the core runs at
}

// CheckEncoderConfig returns cfg with its defaults filled if an encoder of
// codec can open it; name is the package that encodes, for the error.
func CheckEncoderConfig(name, codec string, cfg VideoEncoderConfig) (VideoEncoderConfig, error) {
	if !SameCodec(cfg.Codec, codec) {
		return cfg, fmt.Errorf("%w: %s encodes %s, not %s", ErrUnsupported, name, codec, cfg.Codec)
	}
	cfg = EncoderDefaults(cfg)
	if err := CheckSize(cfg.Width, cfg.Height, cfg.MaxPixels); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// NewCoreEncoder returns the encoder of core, which was opened for cfg as
// CheckEncoderConfig returned it at cfg.Bitrate. The CoreEncoder owns core
// from then on and closes it.
func NewCoreEncoder(cfg VideoEncoderConfig, core EncoderCore) *CoreEncoder {
	return &CoreEncoder{
		core: core, cfg: cfg, nominal: int64(VideoClockRate / cfg.FPS),
		out:     make([]byte, MaxEncodedFrame(cfg.Width, cfg.Height)),
		bitrate: cfg.Bitrate, applied: cfg.Bitrate,
	}
}

// Kbps rounds a bitrate in bits per second to the whole kbit/s, at least 1,
// that libvpx and libx264 take.
func Kbps(bps int) int { return max(1, (bps+500)/1000) }

// Encode implements VideoEncoder with one call into the core, after
// applying a bitrate changed since the last picture.
func (c *CoreEncoder) Encode(p *Picture, keyframe bool) (EncodedFrame, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(p); err != nil {
		return EncodedFrame{}, err
	}
	if err := c.applyBitrate(); err != nil {
		return EncodedFrame{}, err
	}
	pts, duration := c.next(p.PTS)
	n, key, err := c.core.Encode(p, pts, duration, keyframe, c.out)
	if err != nil {
		return EncodedFrame{}, err
	}
	return EncodedFrame{Data: c.out[:n], Keyframe: key, PTS: p.PTS}, nil
}

// check reports whether the encoder is open and p fits it.
func (c *CoreEncoder) check(p *Picture) error {
	if c.core == nil {
		return ErrClosed
	}
	if p.Width != c.cfg.Width || p.Height != c.cfg.Height {
		return fmt.Errorf("%w: %dx%d picture for a %dx%d encoder",
			ErrEncode, p.Width, p.Height, c.cfg.Width, c.cfg.Height)
	}
	return p.Check(c.cfg.MaxPixels)
}

// next returns the 64-bit timestamp of the picture with RTP timestamp ts
// and its duration: the step from the previous picture, or one nominal
// frame for the first.
func (c *CoreEncoder) next(ts uint32) (pts, duration int64) {
	pts = c.clock.Next(ts, c.nominal)
	duration = c.nominal
	if c.started && pts > c.lastPTS {
		duration = pts - c.lastPTS
	}
	c.started, c.lastPTS = true, pts
	return pts, duration
}

// SetBitrate implements VideoEncoder; the next Encode applies it.
func (c *CoreEncoder) SetBitrate(bps int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.core == nil {
		return ErrClosed
	}
	c.bitrate = bps
	return nil
}

func (c *CoreEncoder) applyBitrate() error {
	if c.bitrate == c.applied {
		return nil
	}
	if err := c.core.SetBitrate(Kbps(c.bitrate)); err != nil {
		return err
	}
	c.applied = c.bitrate
	return nil
}

// Close releases the core. It is idempotent.
func (c *CoreEncoder) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.core != nil {
		c.core.Close()
		c.core = nil
	}
	return nil
}
