// Package codec holds what the gateway must know about the payload formats it
// forwards without decoding them: where a keyframe starts (H.264 per RFC 6184,
// VP8 per RFC 7741), the parameter sets of an H.264 stream, and its profile
// (the SPS itself is parsed by internal/h264, shared with the transcoder).
// Ingest uses it to mark keyframes once per packet; egress uses it to start
// viewers on a keyframe and to insert out-of-band SPS/PPS before one.
package codec
