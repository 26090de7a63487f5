package config

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Transcoding modes (Transcode.Mode).
const (
	// TranscodeAuto transcodes, on demand and shared, for viewers that
	// cannot take the source's codec (or profile, or its B-frames).
	TranscodeAuto = "auto"
	// TranscodeOff never transcodes: such viewers are refused.
	TranscodeOff = "off"
)

// Transcode is a stream's [stream.transcode] table: how mediagate
// transcodes it for viewers that cannot take what the source sends.
// Bitrates are in kbit/s.
type Transcode struct {
	Mode string `toml:"mode"` // auto | off
	// Bitrate is the video encoder's starting target; viewers' REMB moves it
	// between MinBitrate and MaxBitrate.
	Bitrate    int `toml:"bitrate"`
	MinBitrate int `toml:"min_bitrate"`
	MaxBitrate int `toml:"max_bitrate"`
	// AudioBitrate is the Opus encoder's target (AAC sources).
	AudioBitrate int `toml:"audio_bitrate"`
	// GracePeriod keeps a transcoder running after its last viewer leaves,
	// so a viewer who reloads the page finds it warm.
	GracePeriod Duration `toml:"grace_period"`
	// StrictProfiles transcodes H.264 to constrained baseline for a viewer
	// that did not offer the source's profile, instead of passing it through.
	StrictProfiles bool `toml:"strict_profiles"`
}

// Defaults and bounds of [stream.transcode].
const (
	defaultTranscodeBitrate = 1500
	defaultTranscodeMin     = 150
	defaultTranscodeMax     = 4000
	defaultAudioBitrate     = 64
	defaultGracePeriod      = 5 * time.Second
	minVideoBitrate         = 50
	maxVideoBitrate         = 50000
	minAudioBitrate         = 6
	maxAudioBitrate         = 510
	maxGracePeriod          = 10 * time.Minute
)

// unsetBitrate marks a bitrate the file leaves out while it is decoded
// (markUnset), so that a 0 written in the file is told apart from no key:
// 0 is refused, not read as "the default".
const unsetBitrate = math.MinInt

// bitrates returns the bitrate fields of t with their keys.
func (t *Transcode) bitrates() []struct {
	key string
	v   *int
} {
	return []struct {
		key string
		v   *int
	}{{"bitrate", &t.Bitrate}, {"min_bitrate", &t.MinBitrate}, {"max_bitrate", &t.MaxBitrate},
		{"audio_bitrate", &t.AudioBitrate}}
}

// markUnset sets every bitrate that is still zero to unsetBitrate before
// t is decoded, and reports whether it did any.
func (t *Transcode) markUnset() bool {
	marked := false
	for _, b := range t.bitrates() {
		if *b.v == 0 {
			*b.v, marked = unsetBitrate, true
		}
	}
	return marked
}

// explicitZeros turns the bitrates the file left out back to zero (for
// fillDefaults) and returns a problem for each one the file set to 0. key
// is t's path, "stream[i].transcode".
func (t *Transcode) explicitZeros(marked bool, key string) []error {
	if !marked {
		return nil
	}
	var problems []error
	for _, b := range t.bitrates() {
		switch *b.v {
		case unsetBitrate:
			*b.v = 0
		case 0:
			lo, hi := minVideoBitrate, maxVideoBitrate
			if b.key == "audio_bitrate" {
				lo, hi = minAudioBitrate, maxAudioBitrate
			}
			problems = append(problems, &FieldError{Key: key + "." + b.key, Err: ErrInvalid,
				Msg: fmt.Sprintf("must be from %d to %d kbit/s (got 0); leave the key out for the default", lo, hi)})
		}
	}
	return problems
}

// fillDefaults gives every zero field of t its default.
func (t *Transcode) fillDefaults() {
	if t.Mode == "" {
		t.Mode = TranscodeAuto
	}
	if t.MinBitrate == 0 {
		t.MinBitrate = defaultTranscodeMin
	}
	if t.MaxBitrate == 0 {
		t.MaxBitrate = max(defaultTranscodeMax, t.Bitrate)
	}
	if t.Bitrate == 0 {
		t.Bitrate = min(max(defaultTranscodeBitrate, t.MinBitrate), t.MaxBitrate)
	}
	if t.AudioBitrate == 0 {
		t.AudioBitrate = defaultAudioBitrate
	}
	if t.GracePeriod == 0 {
		t.GracePeriod = Duration(defaultGracePeriod)
	}
}

// validate checks t; key is its path, "stream[i].transcode".
func (t *Transcode) validate(p *problems, key string) {
	p.oneOf(key+".mode", t.Mode, []string{TranscodeAuto, TranscodeOff})
	p.intIn(key+".min_bitrate", t.MinBitrate, minVideoBitrate, maxVideoBitrate)
	p.intIn(key+".max_bitrate", t.MaxBitrate, minVideoBitrate, maxVideoBitrate)
	if t.MinBitrate > t.MaxBitrate {
		p.add(key+".min_bitrate", "must not exceed max_bitrate (%d > %d)", t.MinBitrate, t.MaxBitrate)
	} else if t.Bitrate < t.MinBitrate || t.Bitrate > t.MaxBitrate {
		p.add(key+".bitrate", "must be from min_bitrate to max_bitrate, %d to %d (got %d)", t.MinBitrate, t.MaxBitrate, t.Bitrate)
	}
	p.intIn(key+".audio_bitrate", t.AudioBitrate, minAudioBitrate, maxAudioBitrate)
	p.durationIn(key+".grace_period", t.GracePeriod, 0, maxGracePeriod)
}

// validateRates checks the clock rate and channels of a codec with several
// allowed rates (AAC).
func (c audioCodec) validateRates(p *problems, key string, a *Audio) {
	if a.ClockRate != c.clockRate && !slices.Contains(c.rates, a.ClockRate) {
		p.add(key+".clock_rate", "must be one of %v for %s (got %d)", append([]int{c.clockRate}, c.rates...), a.Codec, a.ClockRate)
	}
	if a.Channels != 1 && a.Channels != 2 {
		p.add(key+".channels", "must be 1 or 2 for %s (got %d)", a.Codec, a.Channels)
	}
}

// validateTestPattern checks a stream whose source is the test pattern: it
// listens for nothing, and its codecs are ones mediagate can encode.
func (s *Stream) validateTestPattern(p *problems, key string) {
	if s.Source != SourceTestPattern {
		return
	}
	for k, set := range map[string]bool{"listen": s.Listen != "", "rtcp_listen": s.RTCPListen != "", "srtp": s.SRTP != nil} {
		if set {
			p.add(key+"."+k, "applies only to source %q", SourceRTP)
		}
	}
	if s.Audio != nil && s.Audio.Codec != CodecOpus {
		p.add(key+".audio.codec", "must be %q for source %q (got %s)", CodecOpus, SourceTestPattern, quote(s.Audio.Codec))
	}
	if s.Video != nil && s.Video.Codec == CodecH265 {
		p.add(key+".video.codec", "must be %q or %q for source %q: mediagate does not encode H.265 (got %s)",
			CodecH264, CodecVP8, SourceTestPattern, quote(s.Video.Codec))
	}
}
