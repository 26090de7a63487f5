// Package h264 reads the few fields of an H.264 bitstream (ITU-T H.264) that
// mediagate needs without decoding pictures: the profile, level and cropped
// picture size of a sequence parameter set, and the type of a coded slice.
// It holds the one bit reader (fixed-width and Exp-Golomb fields, §7.2 and
// §9.1) and the one RBSP unescaper (§7.4.1) of the project.
//
// Its place in the packet path: egress (through gateway/codec) reads a
// source's SPS to compare its profile with what a viewer offered; the
// transcoder reads the SPS of every keyframe to check the picture size
// before a decoder allocates it, and the gateway reads slice types to spot
// B-frames. Every parser here is bounds-checked on every read and returns
// an error, never a panic, on a hostile or truncated NAL unit.
package h264
