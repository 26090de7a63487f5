// Package clipfile splits the encoded clips the benchmarks make with
// ffmpeg into pictures: H.264 and H.265 Annex B streams at their access
// unit delimiters, VP8 in IVF files frame by frame. bench/transcode and
// bench/start share it.
package clipfile

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// AnnexBAccessUnits splits an Annex B stream at its access unit delimiters
// (H.264 §7.4.1.2.3, H.265 §7.4.3.5), aud being the delimiter's start
// code and NAL header.
func AnnexBAccessUnits(b, aud []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		next := bytes.Index(b[1:], aud)
		if next < 0 {
			return append(out, b)
		}
		out = append(out, b[:next+1])
		b = b[next+1:]
	}
	return out
}

// IVFFrames returns the frames of an IVF file: a 32-byte file header, then
// per frame a 12-byte header (size, then timestamp, little endian).
func IVFFrames(b []byte) ([][]byte, error) {
	if len(b) < 32 || string(b[:4]) != "DKIF" {
		return nil, errors.New("not an IVF file")
	}
	hlen := int(binary.LittleEndian.Uint16(b[6:8]))
	if hlen < 32 || hlen > len(b) {
		return nil, errors.New("bad IVF header")
	}
	var out [][]byte
	for rest := b[hlen:]; len(rest) >= 12; {
		n := int(binary.LittleEndian.Uint32(rest[:4]))
		if n > len(rest)-12 {
			return nil, errors.New("truncated IVF frame")
		}
		out = append(out, rest[12:12+n])
		rest = rest[12+n:]
	}
	return out, nil
}
