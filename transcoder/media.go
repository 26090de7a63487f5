package transcoder

import (
	"fmt"
	"strings"

	"mediagate.dev/mediagate/internal/codec"
)

// The media types a pipeline reads and writes, as RTP MIME types (RFC 6184
// §8.1, RFC 7741 §6.1, RFC 7587 §7, RFC 3640 §4.1): internal/codec's table
// under the names the pipeline's users know. They compare case-
// insensitively; see SameCodec.
const (
	// H264 is H.264 video.
	H264 = codec.MimeH264
	// H265 is H.265 video, which pipelines decode but do not encode.
	H265 = codec.MimeH265
	// VP8 is VP8 video.
	VP8 = codec.MimeVP8
	// Opus is Opus audio.
	Opus = codec.MimeOpus
	// AAC is AAC in mpeg4-generic.
	AAC = codec.MimeAAC
	// RawVideo is a pipeline input of pictures (WritePicture) instead of
	// RTP: a generated source, such as a test pattern.
	RawVideo = "video/raw"
	// RawAudio is a pipeline input of 48 kHz 16-bit samples (WriteSamples).
	RawAudio = "audio/L16"
)

// VideoClockRate is the RTP clock of H.264 and VP8 (RFC 6184 §8.1, RFC 7741
// §6.1); pictures carry timestamps in it.
const VideoClockRate = codec.VideoClockRate

// OpusClockRate is the RTP clock of Opus, whatever the sampling rate of its
// input (RFC 7587 §4.1); decoded audio is resampled to it.
const OpusClockRate = codec.OpusClockRate

// SameCodec reports whether two MIME types name the same codec.
func SameCodec(a, b string) bool { return strings.EqualFold(a, b) }

// Picture is one decoded video frame in I420: 8-bit YUV 4:2:0, three planes.
// A picture returned by a decoder may point into the decoder's own memory:
// it stays valid until that decoder's next Decode or Close, and must not be
// kept longer or written to.
type Picture struct {
	Width, Height int
	// Planes are Y, U and V; Strides are their line sizes in bytes. U and V
	// have (Width+1)/2 × (Height+1)/2 samples.
	Planes  [3][]byte
	Strides [3]int
	// PTS is the picture's RTP timestamp (90 kHz).
	PTS uint32
}

// NewPicture allocates a picture of w×h with tightly packed planes.
func NewPicture(w, h int) *Picture {
	cw, ch := (w+1)/2, (h+1)/2
	buf := make([]byte, w*h+2*cw*ch)
	return &Picture{
		Width: w, Height: h,
		Planes:  [3][]byte{buf[:w*h], buf[w*h : w*h+cw*ch], buf[w*h+cw*ch:]},
		Strides: [3]int{w, cw, cw},
	}
}

// Check reports whether p is well formed and at most maxPixels in area,
// with every plane long enough for its size and stride. Encoders call it
// before handing p to C.
func (p *Picture) Check(maxPixels int) error {
	if err := CheckSize(p.Width, p.Height, maxPixels); err != nil {
		return err
	}
	cw, ch := (p.Width+1)/2, (p.Height+1)/2
	for i, dims := range [3][2]int{{p.Width, p.Height}, {cw, ch}, {cw, ch}} {
		w, h := dims[0], dims[1]
		if p.Strides[i] < w || len(p.Planes[i]) < p.Strides[i]*(h-1)+w {
			return fmt.Errorf("%w: plane %d of %dx%d picture has stride %d and %d bytes",
				ErrMalformed, i, p.Width, p.Height, p.Strides[i], len(p.Planes[i]))
		}
	}
	return nil
}

// Size limits every codec checks before calling C.
const (
	// DefaultMaxPixels is 1080p's area, in whole macroblocks.
	DefaultMaxPixels = 1920 * 1088
	// MaxDimension bounds either side of a picture whatever MaxPixels says.
	MaxDimension = 4096
)

// CheckSize reports whether a w×h picture may be decoded or encoded: both
// sides from 16 to MaxDimension, and at most maxPixels in area (0 means
// DefaultMaxPixels).
func CheckSize(w, h, maxPixels int) error {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	switch {
	case w < 16 || h < 16 || w > MaxDimension || h > MaxDimension:
		return fmt.Errorf("%w: %dx%d (each side must be 16 to %d)", ErrTooLarge, w, h, MaxDimension)
	case w*h > maxPixels:
		return fmt.Errorf("%w: %dx%d is more than %d pixels", ErrTooLarge, w, h, maxPixels)
	}
	return nil
}

// Encoder defaults applied by EncoderDefaults.
const (
	DefaultFPS              = 30
	DefaultBitrate          = 1_500_000
	DefaultKeyframeInterval = 10 * DefaultFPS
)

// EncoderDefaults fills the zero fields of c.
func EncoderDefaults(c VideoEncoderConfig) VideoEncoderConfig {
	if c.FPS <= 0 {
		c.FPS = DefaultFPS
	}
	if c.Bitrate <= 0 {
		c.Bitrate = DefaultBitrate
	}
	if c.KeyframeInterval <= 0 {
		c.KeyframeInterval = DefaultKeyframeInterval
	}
	if c.MaxPixels <= 0 {
		c.MaxPixels = DefaultMaxPixels
	}
	return c
}

// MaxEncodedFrame is the output buffer an encoder needs for one w×h
// picture: the raw picture's size and some headroom, which no sane encoder
// exceeds.
func MaxEncodedFrame(w, h int) int { return w*h*3/2 + 64<<10 }
