// Package testpattern draws a test picture and a tone in pure Go, for a
// stream with no camera: the gateway's "testpattern" source feeds them to a
// transcoder Pipeline (RawVideo → H.264 or VP8, RawAudio → Opus), and the
// transcoder's tests and benchmarks use them as input they control.
//
// The picture has what a viewer and an encoder both need to see that the
// stream is alive and honest: a clock with tenths of seconds, a box that
// moves across the frame, colour bars, and a band of fresh noise in every
// picture, so that the encoder spends whatever bitrate it is given. The
// tone is a 440 Hz sine with a 1 kHz beep at the start of every second,
// in step with the clock.
package testpattern
