// Package rendition decides and runs what a viewer's track carries when it
// is not the source as it arrived: it is the gateway's egress.Renditions,
// and it owns the in-process sources of testpattern streams.
//
//	ingest/testsrc ─▶ stream.Track (source) ─┬─▶ egress viewers (passthrough)
//	                                         └─▶ Subscription ─▶ transcoder.Pipeline
//	                                             (decode, encode: one cgo call per frame)
//	                                             ─▶ stream.Track (rendition) ─▶ egress viewers
//
// The renditions a Manager serves, per source track:
//
//   - passthrough: Policy returns no targets (transcode.mode = "off", no
//     codecs, or a codec with no target) and egress sends the source.
//   - transcoded: the other video codec (H.264 ↔ VP8) and AAC → Opus. The
//     first viewer that needs one starts it (Acquire), every viewer of the
//     same stream, source track and codec shares it, and it stops the
//     stream's transcode.grace_period after the last one gave it back;
//     transcoding.active and transcoding.inactive mark both ends.
//   - baseline-fix: H.264 → H.264 constrained baseline (42e01f) for
//     viewers of a source that sends B-frames, which browsers play badly. A
//     probe watches the first viewer's source for B slices (bframes.go) and
//     waits up to 500 ms for a verdict; a baseline source is never probed.
//   - test pattern: StartPattern runs a testsrc.Source for a testpattern
//     stream and keeps it in a registry until it stops.
//
// Instant start — a viewer started on a keyframe bridged from a GOP memory
// of the source, so that it need not wait for the camera's next keyframe —
// lands here next.
//
// Decisions recorded here:
//
//   - A stream's settings are read through Config.Settings each time they
//     matter (policy, start, release), so a reload that changes transcode
//     settings applies to the next rendition without restarting the
//     stream.
//   - A rendition carries the source's sender clock over, mapped through
//     the pipeline's timestamps, so its viewers' Sender Reports keep lip
//     sync.
//   - The metrics are transcoder's (mediagate_transcoder_*); the gateway
//     registers them once and passes them in Config.Metrics.
package rendition
