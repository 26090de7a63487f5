// Package testsrc is the source of streams configured with source =
// "testpattern": it draws transcoder/testpattern's moving picture and tone
// in process, encodes them with a transcoder Pipeline (RawVideo → H.264 or
// VP8, RawAudio → Opus) and writes the packets into the stream's tracks,
// where they fan out like a camera's.
//
//	video goroutine: ticker at the frame rate → testpattern.Video.Frame
//	  → Pipeline.WritePicture (one cgo call) → packets → stream.Track.Write
//	audio goroutine: ticker every 20 ms → testpattern.Tone.Samples
//	  → Pipeline.WriteSamples → Opus packets → stream.Track.Write
//
// Decisions recorded here:
//
//   - A track nobody subscribes to is not drawn or encoded: an idle demo
//     stream costs a ticker. The first viewer's keyframe request (the
//     stream's keyframe requester is the video encoder) starts it cleanly.
//   - Timestamps follow the wall clock since the source started, and each
//     track's SenderClock is set from the same clock, so the tone and the
//     picture stay in sync in the browser.
//   - The source marks the stream up while it runs and stops by itself when
//     the stream is removed (its Closed channel).
package testsrc
