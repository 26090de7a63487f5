// Command testsender is a REMB-following RTP/SRTP test sender: it plays the
// part of a camera that does congestion control, which ffmpeg and GStreamer
// do not (they ignore REMB).
//
// It draws transcoder/testpattern's moving picture, dithers every pixel
// with fresh noise so that a CBR encoder really spends the rate it is
// given, encodes it as VP8 (transcoder/vpxenc) or H.264
// (transcoder/x264enc), packetizes it (RFC 7741, RFC 6184), stamps the
// abs-send-time header extension (RFC 8285 one-byte form), paces the
// packets at 2.5 times the target rate as libwebrtc's pacer does, and sends
// them as RTP (RFC 3550) or SRTP (RFC 3711) from one UDP socket. RTCP comes
// back on that same socket (RFC 5761 muxing; SRTCP with SRTP): REMB
// (draft-alvestrand-rmcat-remb) sets the encoder's target, clamped to
// -min/-max, and PLI (RFC 4585 §6.3.1) or FIR (RFC 5104 §4.3.1) makes a key
// frame. Every second it sends a sender report (RFC 3550 §6.4.1).
//
// With -stats it writes one JSON line per 100 ms to stdout:
//
//	{"t":1.2,"remb":950000,"target":950000,"sent":987000,"packets":1234}
//
// t is seconds since start, remb the last REMB received in bit/s (0 before
// the first), target the encoder's target in bit/s, sent the rate sent over
// the last 500 ms in bit/s (whole RTP or SRTP packets, without UDP/IP
// headers) and packets the RTP packets sent so far. Logs go to stderr.
//
// Place in the packet path: it is the camera. It sends to a stream's
// ingest port (gateway/ingest) and receives what that port sends back: the
// receiver reports, keyframe requests and the REMB of gateway/bwe.
//
// The SRTP master key and salt (standard base64) come from the environment
// variable MEDIAGATE_SRTP_KEY or from the file named by -srtp-key-file,
// never from the command line, and are never logged.
package main
