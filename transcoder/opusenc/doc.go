// Package opusenc encodes Opus for transcoder pipelines with libopus: 48
// kHz, mono or stereo, 20 ms frames, in-band FEC, one call into libopus
// per frame. It is one of transcoder's cgo leaf packages; without cgo, New
// returns transcoder.ErrUnavailable.
package opusenc
