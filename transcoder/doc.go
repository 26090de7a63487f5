// Package transcoder turns one RTP stream into another of a different codec:
// H.264 ↔ VP8 (and H.264 → H.264 constrained baseline) for video, AAC → Opus
// for audio. It is the middle of a transcoded rendition's packet path:
//
//	source packets (the gateway's subscriber goroutine)
//	  → Pipeline.Write: depacketize to access units (RFC 6184, RFC 7741, RFC 3640)
//	  → decode (one cgo call per access unit)
//	  → encode (one cgo call per picture or audio frame)
//	  → packetize (RFC 6184 mode 1, RFC 7741, RFC 7587)
//	  → Config.Output, which the gateway writes into a derived stream.Track
//
// This package is pure Go: it holds the codec interfaces (VideoDecoder,
// VideoEncoder, AudioDecoder, AudioEncoder), the depacketizers, the Pipeline
// and its metrics. The codecs themselves are cgo bindings in leaf packages —
// transcoder/avdec (libavcodec, libswresample), transcoder/vpxenc (libvpx),
// transcoder/x264enc (libx264), transcoder/opusenc (libopus) — gathered by
// transcoder/codecs into a Codecs value. The two video encoders share their
// Go side, CoreEncoder, and keep only their C calls (an EncoderCore). Only
// those leaf packages import "C";
// built without cgo they return ErrUnavailable, and so transcoding reports
// itself unavailable. transcoder never imports the gateway: the gateway
// imports it.
//
// Decisions recorded here:
//
//   - A Pipeline is driven by one goroutine (the caller of Write), which is
//     the only one to touch its C objects; RequestKeyframe and SetBitrate,
//     called from any goroutine, only set atomics that the next frame reads.
//     Close takes the same mutex as Write and is idempotent.
//   - An access unit that lost a packet, failed a size check or failed to
//     decode is dropped, and the pipeline discards everything up to the next
//     keyframe and asks its source for one (Config.RequestKeyframe). A
//     decoder error never ends the pipeline.
//   - Frame dimensions are read from the bitstream in Go (the H.264 SPS, the
//     VP8 key frame header) and checked against Config.MaxPixels before the
//     decoder sees the access unit; the encoder is opened (again) from the
//     decoded picture's size, which is checked too.
//   - Output timestamps are the input's, so a derived track keeps its
//     source's timing and lip sync; audio is rescaled to Opus's 48 kHz clock.
//   - Forced key frames (at most one per Config.KeyframeGap) and keyframe
//     requests to the source (at most one per 500 ms) are throttled on media
//     time, the pictures' timestamps, so they behave the same live and when
//     a test feeds pictures faster than real time.
//   - libx264 plans its rate with a nominal frame rate (variable-frame-rate
//     input would hold each picture back until the next arrives); the
//     pipeline measures the source's rate and reopens the encoder when it
//     differs by more than a quarter.
//   - The encoder runs with no lookahead and no B-frames: the output for an
//     access unit is written before Write returns, so the pipeline adds no
//     frame of latency beyond decode and encode time.
package transcoder
