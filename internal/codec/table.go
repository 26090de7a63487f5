package codec

import "strings"

// MIME types of the RTP payload formats mediagate carries (RFC 6184 §8.1,
// RFC 7798 §7.1, RFC 7741 §6.1, RFC 7587 §7, RFC 3551 §4.5.14, RFC 3640
// §4.1), spelled as
// pion and browsers spell them. They compare case-insensitively.
const (
	// MimeH264 is H.264 video (RFC 6184).
	MimeH264 = "video/H264"
	// MimeH265 is H.265 video (RFC 7798).
	MimeH265 = "video/H265"
	// MimeVP8 is VP8 video (RFC 7741).
	MimeVP8 = "video/VP8"
	// MimeOpus is Opus audio (RFC 7587).
	MimeOpus = "audio/opus"
	// MimePCMU is G.711 µ-law audio (RFC 3551 §4.5.14).
	MimePCMU = "audio/PCMU"
	// MimePCMA is G.711 A-law audio (RFC 3551 §4.5.14).
	MimePCMA = "audio/PCMA"
	// MimeAAC is AAC in mpeg4-generic (RFC 3640), whose clock rate is its
	// sampling rate and whose fmtp carries its configuration.
	MimeAAC = "audio/mpeg4-generic"
)

// RTP clock rates of the formats.
const (
	// VideoClockRate is the RTP clock of H.264, H.265 and VP8 (RFC 6184
	// §8.1, RFC 7798 §7.1, RFC 7741 §6.1).
	VideoClockRate = 90000
	// OpusClockRate is the RTP clock of Opus, whatever the sampling rate of
	// its input (RFC 7587 §4.1).
	OpusClockRate = 48000
	// G711ClockRate is the RTP clock of PCMU and PCMA (RFC 3551 §4.5.14).
	G711ClockRate = 8000
)

// H264DefaultProfile is the profile-level-id mediagate offers and
// transcodes to: constrained baseline, level 3.1, which every browser
// encodes and decodes.
const H264DefaultProfile = "42e01f"

// OpusFmtp is the fmtp of every Opus format mediagate offers: 10 ms
// packets allowed, in-band FEC on (RFC 7587 §6.1).
const OpusFmtp = "minptime=10;useinbandfec=1"

// Format is one RTP payload format as mediagate registers and offers it by
// default: what an SDP's a=rtpmap and a=fmtp lines say of it.
type Format struct {
	// MimeType is the format's MIME type, one of the Mime constants.
	MimeType string
	// ClockRate is its RTP clock in Hz.
	ClockRate uint32
	// Channels is the channel count of a=rtpmap; 0 leaves it out (one).
	Channels uint16
	// PayloadType is the payload type it is registered under; an answer
	// uses the offer's own.
	PayloadType uint8
	// Fmtp is its default a=fmtp parameters, or empty.
	Fmtp string
}

// The codec table: the default of every format mediagate offers. Egress,
// WHIP and the transcoder's renditions register these; a camera's own
// format comes from its configuration instead.
var (
	// H264Format is H.264 in packetization mode 1, constrained baseline,
	// under payload type 102.
	H264Format = Format{MimeType: MimeH264, ClockRate: VideoClockRate, PayloadType: 102,
		Fmtp: H264Fmtp(H264DefaultProfile)}
	// H265Format is H.265 Main profile, main tier, level 3.1, in
	// single-RTP-stream transmission (the WebRTC fmtp of RFC 7798 §7.1),
	// under payload type 116.
	H265Format = Format{MimeType: MimeH265, ClockRate: VideoClockRate, PayloadType: 116,
		Fmtp: H265Fmtp(H265Profile{ProfileID: H265ProfileMain, LevelID: H265DefaultLevel})}
	// VP8Format is VP8 under payload type 96, the first dynamic one.
	VP8Format = Format{MimeType: MimeVP8, ClockRate: VideoClockRate, PayloadType: 96}
	// OpusFormat is stereo Opus with OpusFmtp under payload type 111.
	OpusFormat = Format{MimeType: MimeOpus, ClockRate: OpusClockRate, Channels: 2, PayloadType: 111,
		Fmtp: OpusFmtp}
	// PCMUFormat is G.711 µ-law under its static payload type 0.
	PCMUFormat = Format{MimeType: MimePCMU, ClockRate: G711ClockRate, PayloadType: 0}
	// PCMAFormat is G.711 A-law under its static payload type 8.
	PCMAFormat = Format{MimeType: MimePCMA, ClockRate: G711ClockRate, PayloadType: 8}
)

// FormatOf returns the table's format of mime (compared
// case-insensitively), or false for a MIME type the table does not hold
// (AAC, whose format depends on its configuration).
func FormatOf(mime string) (Format, bool) {
	for _, f := range []Format{H264Format, H265Format, VP8Format, OpusFormat, PCMUFormat, PCMAFormat} {
		if strings.EqualFold(f.MimeType, mime) {
			return f, true
		}
	}
	return Format{}, false
}
