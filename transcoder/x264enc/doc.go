// Package x264enc encodes H.264 for transcoder pipelines with libx264. It is
// one of transcoder's cgo leaf packages: one call into libx264 per picture.
//
// The output is what every browser decodes: constrained baseline (no
// B-frames, no CABAC), Annex B with SPS and PPS before every IDR, sent with
// packetization mode 1. The encoder runs preset veryfast with tune
// zerolatency (no lookahead: a picture's output comes out of the call that
// takes it), one thread, average-bitrate rate control under a one-second
// VBV buffer. Rate control plans with the configured frame rate rather than
// the timestamps: variable-frame-rate input would hold every picture back
// until the next one arrives (the transcoder measures the source's rate and
// reopens the encoder when it differs). SetBitrate takes effect on
// the next picture through x264_encoder_reconfig. Without cgo, New returns
// transcoder.ErrUnavailable.
package x264enc
