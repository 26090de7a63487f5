// Package codec is mediagate's payload-format package: everything the
// gateway and the transcoder know about the codecs they carry, short of
// decoding pictures or samples. It holds
//
//   - the one codec table (table.go): MIME types, RTP clock rates, default
//     payload types and fmtp lines of H.264, H.265, VP8, Opus, G.711 and AAC;
//   - the one H.264 RTP payload parser (RFC 6184 §5.6 to §5.8: single NAL
//     unit packets, STAP-A, FU-A) and STAP-A builder (h264payload.go);
//   - the one H.265 RTP payload walker (RFC 7798 §4.4: single NAL unit
//     packets, aggregation packets, fragmentation units; no DONL, since
//     CheckH265Transmission refuses sprop-max-don-diff > 0) and
//     aggregation packet builder (h265payload.go), its NAL unit types and
//     IRAP test (h265nal.go), its fmtp (profile-id, tier-flag, level-id,
//     sprop-vps/sps/pps, h265fmtp.go) and SPS (profile, tier, level,
//     picture size with a cap, h265sps.go);
//   - the one VP8 payload descriptor parser (RFC 7741 §4.2, vp8payload.go);
//   - the parameter sets of either H.26x format for those that insert them
//     before keyframes (paramsets.go);
//   - keyframe detection from one RTP payload (keyframe.go);
//   - H.264 parameter sets: fmtp parameters, profile-level-id and
//     sprop-parameter-sets (RFC 6184 §8.1, h264fmtp.go);
//   - the few bitstream fields read without a decoder: an SPS's profile,
//     level and cropped picture size, a slice's type (ITU-T H.264 §7.3),
//     through the one bit reader (fixed-width and Exp-Golomb fields, §7.2
//     and §9.1) and RBSP unescaper (§7.4.1) of the project.
//
// Its place in the packet path: ingest marks keyframes once per packet;
// egress matches a viewer's offer against the source's profile, starts
// viewers on a keyframe and inserts out-of-band SPS/PPS before one; the
// gateway reads slice types to spot B-frames; the transcoder's
// depacketizers walk the same payload structures and read the SPS of every
// keyframe to check the picture size before a decoder allocates it. It
// sits below both gateway/* and transcoder and imports neither, nor pion.
// Every parser here is bounds-checked on every read and returns an error
// (or false), never a panic, on a hostile or truncated payload.
package codec
