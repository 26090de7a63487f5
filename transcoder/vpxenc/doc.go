// Package vpxenc encodes VP8 for transcoder pipelines with libvpx. It is one
// of transcoder's cgo leaf packages: one call into libvpx per picture.
//
// The encoder is set up for real time as WebRTC's own VP8 encoder is: one
// pass, CBR with a one-second buffer, no lookahead, error resilient, one
// thread, speed CPUUsed, timestamps in the RTP clock (90 kHz) so that rate
// control follows the real frame rate. SetBitrate takes effect on the next
// picture through vpx_codec_enc_config_set (libavcodec's libvpx wrapper
// would ignore a change). Without cgo, New returns
// transcoder.ErrUnavailable.
package vpxenc
