package config

import (
	"slices"
	"strings"
)

// Source kinds: where a stream's media comes from.
const (
	// SourceRTP is a camera or encoder pushing RTP or SRTP to Stream.Listen.
	SourceRTP = "rtp"
	// SourceTestPattern is a moving picture and a tone that mediagate
	// draws and encodes itself, in the stream's video and audio codecs.
	SourceTestPattern = "testpattern"
	// SourceWHIP is a browser publishing through WHIP (RFC 9725) to
	// /whip/<stream>.
	SourceWHIP = "whip"
	// SourceWHEP pulls the stream from another WHEP server (another
	// mediagate, or any WHEP server) while something consumes it.
	SourceWHEP = "whep"
)

// sources lists every source kind Validate accepts, and whether the kind
// receives on a UDP port of its own. New kinds (a test pattern, WHIP) are added
// here and nowhere else.
var sources = map[string]struct{ listens bool }{
	SourceRTP:         {listens: true},
	SourceTestPattern: {listens: false},
	SourceWHIP:        {listens: false},
	SourceWHEP:        {listens: false},
}

// Latching policies (Stream.Latch).
const (
	// LatchFirst latches the first allowed sender and re-latches to another
	// one only after RelatchAfter of silence.
	LatchFirst = "first"
	// LatchStrict never re-latches while the source is up.
	LatchStrict = "strict"
)

// Keyframe request kinds (Stream.KeyframeRequest).
const (
	// KeyframePLI asks with a Picture Loss Indication (RFC 4585 §6.3.1).
	KeyframePLI = "pli"
	// KeyframeFIR asks with a Full Intra Request (RFC 5104 §4.3.1).
	KeyframeFIR = "fir"
)

// Codec names, as written in the config (lower case after FillDefaults).
const (
	// CodecH264 is H.264 video (RFC 6184).
	CodecH264 = "h264"
	// CodecH265 is H.265 video (RFC 7798), passed through to viewers that
	// take it and transcoded for the others.
	CodecH265 = "h265"
	// CodecVP8 is VP8 video (RFC 7741).
	CodecVP8 = "vp8"
	// CodecOpus is Opus audio (RFC 7587).
	CodecOpus = "opus"
	// CodecPCMU is G.711 µ-law audio (RFC 3551 §4.5.14).
	CodecPCMU = "pcmu"
	// CodecPCMA is G.711 A-law audio (RFC 3551 §4.5.14).
	CodecPCMA = "pcma"
	// CodecAAC is AAC-LC in mpeg4-generic, AAC-hbr mode (RFC 3640 §3.3.6),
	// which browsers cannot play: mediagate transcodes it to Opus.
	CodecAAC = "aac"
)

// videoClockRate is the RTP clock of every video codec here (RFC 6184 §8.1,
// RFC 7798 §7.1, RFC 7741 §6.1).
const videoClockRate = 90000

// defaultVideoPT is the first dynamic payload type (RFC 3551 §6).
const defaultVideoPT = 96

// defaultProfileLevelID is H.264 Constrained Baseline, level 3.1: what
// browsers decode everywhere.
const defaultProfileLevelID = "42e01f"

// videoCodecs are the video codecs a stream may carry.
var videoCodecs = []string{CodecH264, CodecH265, CodecVP8}

// audioCodec is what an audio codec fixes on the wire: its default (or
// static) payload type, RTP clock rate and channel count.
type audioCodec struct {
	payloadType int
	clockRate   int
	channels    int
	// static means payloadType is the codec's static assignment in
	// RFC 3551 §6, which the codec may use besides the dynamic range.
	static bool
	// rates, when set, are the clock rates allowed besides clockRate (the
	// default), with 1 or 2 channels.
	rates []int
}

// audioCodecs are the audio codecs a stream may carry: Opus per RFC 7587 §7
// (always 48000/2 in SDP), G.711 per RFC 3551 §4.5.14.
var audioCodecs = map[string]audioCodec{
	CodecOpus: {payloadType: 111, clockRate: 48000, channels: 2},
	CodecPCMU: {payloadType: 0, clockRate: 8000, channels: 1, static: true},
	CodecPCMA: {payloadType: 8, clockRate: 8000, channels: 1, static: true},
	// AAC's RTP clock is its sampling rate (RFC 3640 §4.1); these are the
	// AudioSpecificConfig's rates (ISO/IEC 14496-3 §1.6.3.4).
	CodecAAC: {payloadType: 97, clockRate: 48000, channels: 2,
		rates: []int{96000, 88200, 64000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000}},
}

// Log levels and formats.
var (
	logLevels  = []string{"debug", "info", "warn", "error"}
	logFormats = []string{"text", "json"}
)

// sortedKeys returns m's keys in order, for "allowed values" messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// oneOf renders allowed values as "a | b | c".
func oneOf(values []string) string { return strings.Join(values, " | ") }
