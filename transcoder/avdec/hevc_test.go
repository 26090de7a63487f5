//go:build cgo

package avdec

import (
	"bytes"
	"os"
	"testing"

	"mediagate.dev/mediagate/internal/codec"
	"mediagate.dev/mediagate/transcoder"
)

// accessUnits splits an Annex B H.265 stream into access units at the NAL
// units that start one (internal/codec's H265StartsAccessUnit).
func accessUnits(t *testing.T, stream []byte) [][]byte {
	t.Helper()
	var aus [][]byte
	var cur []byte
	for _, nal := range bytes.Split(stream, []byte{0, 0, 1}) {
		nal = bytes.TrimRight(nal, "\x00")
		if len(nal) < 2 {
			continue
		}
		if codec.H265StartsAccessUnit(nal) && codec.H265NALType(nal[0]) != codec.H265PrefixSEI && hasSlice(cur) {
			aus = append(aus, cur)
			cur = nil
		}
		cur = append(append(cur, 0, 0, 0, 1), nal...)
	}
	return append(aus, cur)
}

// hasSlice reports whether an Annex B buffer holds a slice already.
func hasSlice(au []byte) bool {
	for _, nal := range bytes.Split(au, []byte{0, 0, 0, 1}) {
		if len(nal) > 0 && codec.H265NALType(nal[0]) < 32 {
			return true
		}
	}
	return false
}

// TestHEVCBFramesAndSlices decodes 12 pictures of libx265 with 3 B-frames
// and 2 slices per picture, one access unit per call, stamped in decoding
// order: every picture comes out whole, at the SPS's size, each once, and
// the decoder reorders them (the stamps come out of decoding order).
func TestHEVCBFramesAndSlices(t *testing.T) {
	raw, err := os.ReadFile("testdata/bframes-2slices.hevc")
	if err != nil {
		t.Fatal(err)
	}
	aus := accessUnits(t, raw)
	if len(aus) != 12 {
		t.Fatalf("%d access units, want 12", len(aus))
	}
	d, err := NewVideoDecoder(transcoder.VideoDecoderConfig{Codec: transcoder.H265})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var pts []uint32
	for i, au := range aus {
		pic, err := d.Decode(au, uint32(i*3000))
		if err != nil {
			t.Fatalf("access unit %d: %v", i, err)
		}
		if pic != nil {
			if pic.Width != 160 || pic.Height != 96 {
				t.Fatalf("picture %dx%d", pic.Width, pic.Height)
			}
			pts = append(pts, pic.PTS)
		}
	}
	if len(pts) < 8 {
		t.Fatalf("%d pictures out of 12 access units", len(pts))
	}
	seen, reordered := map[uint32]bool{}, false
	for i, p := range pts {
		if seen[p] {
			t.Fatalf("picture %d twice: %v", p, pts)
		}
		seen[p] = true
		reordered = reordered || (i > 0 && p < pts[i-1])
	}
	if !reordered {
		t.Fatalf("pictures left in decoding order: %v", pts)
	}
}
