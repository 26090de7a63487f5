// Package avdec decodes video and audio for transcoder pipelines with
// FFmpeg's libavcodec: H.264, H.265 (HEVC) and VP8 into I420 pictures
// (libswscale converts other pixel formats, 10-bit H.265 among them), AAC
// into 48 kHz interleaved 16-bit audio
// (libswresample). It is one of transcoder's cgo leaf packages: the only
// place where those libraries are called, with one call per access unit.
//
// Each decoder is single-threaded (frame threads would each add a frame of
// delay), holds pictures back only as far as the stream reorders them (not
// at all without B-frames), and refuses pictures over its maximum size
// inside libavcodec (max_pixels) as well as in Go before the call. FFmpeg's
// own logging is silenced: the transcoder counts and logs what it drops. A decoder error is returned wrapping
// transcoder.ErrDecode and leaves the decoder usable. Without cgo, every
// constructor returns transcoder.ErrUnavailable.
package avdec
