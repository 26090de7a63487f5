package codec

import (
	"errors"
	"testing"

	"mediagate.dev/mediagate/internal/h264"
)

// The SPS parser's own table is in internal/h264; these cases check what
// H264SPSInfo adds: the order of the results and ErrBadSPS.
type spsCase struct {
	name                 string
	sps                  []byte
	profile, cons, level uint8
	width, height        int
	bad                  bool
}

func spsCases(t testing.TB) []spsCase {
	return []spsCase{
		{"x264 baseline 640x480", mustHex(t, testSPSHex), 66, 0xc0, 22, 640, 480, false},
		{"x264 high 1920x1080", mustHex(t, "67640028acd940780227e5c044000003000400000300083c60c658"), 100, 0, 40, 1920, 1080, false},
		{"huge picture", mustHex(t, "6742c01eda000004000045e8"), 0, 0, 0, 0, 0, true},
		{"truncated", mustHex(t, "6742c016d900"), 0, 0, 0, 0, 0, true},
		{"pps", mustHex(t, testPPSHex), 0, 0, 0, 0, 0, true},
		{"empty", nil, 0, 0, 0, 0, 0, true},
	}
}

func TestH264SPSInfo(t *testing.T) {
	for _, c := range spsCases(t) {
		t.Run(c.name, func(t *testing.T) {
			p, cs, l, w, h, err := H264SPSInfo(c.sps)
			if c.bad {
				if !errors.Is(err, ErrBadSPS) {
					t.Fatalf("err = %v, want ErrBadSPS", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p != c.profile || cs != c.cons || l != c.level || w != c.width || h != c.height {
				t.Fatalf("got profile %d constraints %#x level %d %dx%d", p, cs, l, w, h)
			}
		})
	}
}

func FuzzH264SPSInfo(f *testing.F) {
	for _, c := range spsCases(f) {
		f.Add(c.sps)
	}
	f.Fuzz(func(t *testing.T, sps []byte) {
		_, _, _, w, h, err := H264SPSInfo(sps)
		if err == nil && (w <= 0 || h <= 0 || w > h264.MaxSide || h > 2*h264.MaxSide) {
			t.Fatalf("H264SPSInfo(% x) size %dx%d", sps, w, h)
		}
	})
}
