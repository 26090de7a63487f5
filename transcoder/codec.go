package transcoder

// VideoDecoder turns access units into pictures. It is used by one
// goroutine at a time; Close is idempotent.
type VideoDecoder interface {
	// Decode decodes one access unit (H.264 or H.265 in Annex B with its
	// parameter sets in band; one VP8 frame) with one call into C. It
	// returns nil and no error when the decoder produced no picture yet.
	// The picture is valid until the next Decode or Close. An error wraps
	// ErrDecode; the decoder stays usable.
	Decode(au []byte, pts uint32) (*Picture, error)
	// Close releases the decoder.
	Close() error
}

// VideoEncoder compresses pictures. It is used by one goroutine at a time,
// except SetBitrate's effect, which it applies on the next Encode; Close is
// idempotent.
type VideoEncoder interface {
	// Encode compresses one picture with one call into C; keyframe forces a
	// key frame. The result's Data is valid until the next Encode and is
	// empty when rate control dropped the picture. Errors wrap ErrEncode or
	// ErrTooLarge.
	Encode(p *Picture, keyframe bool) (EncodedFrame, error)
	// SetBitrate changes the target bitrate, in bits per second, from the
	// next picture on.
	SetBitrate(bps int) error
	// Close releases the encoder.
	Close() error
}

// EncodedFrame is one compressed picture.
type EncodedFrame struct {
	// Data is an H.264 access unit in Annex B (with SPS and PPS before each
	// key frame) or one VP8 frame.
	Data     []byte
	Keyframe bool
	// PTS is the timestamp of the picture it encodes.
	PTS uint32
}

// VideoEncoderConfig opens a video encoder.
type VideoEncoderConfig struct {
	Codec         string // H264 or VP8
	Width, Height int
	// FPS is the nominal frame rate rate control plans with; timestamps give
	// the real one.
	FPS int
	// Bitrate is the starting target in bits per second.
	Bitrate int
	// KeyframeInterval is the most pictures between two key frames.
	KeyframeInterval int
	// MaxPixels caps Width×Height (0 means DefaultMaxPixels).
	MaxPixels int
}

// VideoDecoderConfig opens a video decoder.
type VideoDecoderConfig struct {
	Codec     string // H264, H265 or VP8
	MaxPixels int    // 0 means DefaultMaxPixels
}

// AudioDecoder turns access units into 48 kHz interleaved 16-bit samples.
// It is used by one goroutine at a time; Close is idempotent.
type AudioDecoder interface {
	// Decode decodes and resamples one access unit with one call into C.
	// The samples are valid until the next Decode or Close. An error wraps
	// ErrDecode.
	Decode(au []byte) ([]int16, error)
	// Channels is the number of interleaved channels Decode returns.
	Channels() int
	// Close releases the decoder.
	Close() error
}

// AudioDecoderConfig opens an audio decoder.
type AudioDecoderConfig struct {
	Codec string // AAC
	// Config is the codec's out-of-band configuration: for AAC the
	// AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), the RFC 3640 "config".
	Config []byte
	// SampleRate and Channels are the source's, used when Config is empty.
	SampleRate, Channels int
}

// AudioEncoder compresses 48 kHz audio in frames of FrameSize samples per
// channel. It is used by one goroutine at a time; Close is idempotent.
type AudioEncoder interface {
	// FrameSize is the number of samples per channel of one frame.
	FrameSize() int
	// Encode compresses one frame of interleaved samples with one call into
	// C. The result is valid until the next Encode.
	Encode(pcm []int16) ([]byte, error)
	// SetBitrate changes the target bitrate in bits per second.
	SetBitrate(bps int) error
	// Close releases the encoder.
	Close() error
}

// AudioEncoderConfig opens an audio encoder.
type AudioEncoderConfig struct {
	Codec    string // Opus
	Channels int    // 1 or 2
	Bitrate  int    // bits per second
}

// Codecs opens codecs. transcoder/codecs fills one from the cgo leaf
// packages; tests pass fakes. A nil field means the codec kind is missing.
type Codecs struct {
	NewVideoDecoder func(VideoDecoderConfig) (VideoDecoder, error)
	NewVideoEncoder func(VideoEncoderConfig) (VideoEncoder, error)
	NewAudioDecoder func(AudioDecoderConfig) (AudioDecoder, error)
	NewAudioEncoder func(AudioEncoderConfig) (AudioEncoder, error)
	// Available reports whether the codecs were built in; false means every
	// constructor returns ErrUnavailable.
	Available bool
}
