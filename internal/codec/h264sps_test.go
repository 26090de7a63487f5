package codec

import (
	"encoding/hex"
	"errors"
	"testing"
)

// unhex decodes a hex literal of the table; a typo in one is a bug of the
// test, so it panics.
func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// highSPS writes a High 4:4:4 SPS with separate colour planes, scaling
// matrices and pic_order_cnt_type 1, cropped to 1918x1086.
func highSPS() []byte {
	w := &bitWriter{}
	w.u(8, 244).u(8, 0).u(8, 51).ue(0)
	w.ue(3).u(1, 1).ue(2).ue(2).u(1, 0) // 4:4:4, separate planes, 10 bit
	w.u(1, 1)                           // seq_scaling_matrix_present_flag
	for i := range 12 {
		if i%2 == 0 {
			w.u(1, 0)
			continue
		}
		w.u(1, 1)
		size := 16
		if i >= 6 {
			size = 64
		}
		for j := range size {
			w.se(int32(j%5 - 2))
		}
	}
	w.ue(0).ue(1).u(1, 0).se(-3).se(4).ue(3).se(1).se(-1).se(2) // poc type 1
	w.ue(4).u(1, 0).ue(119).ue(67).u(1, 1).u(1, 1)
	w.u(1, 1).ue(1).ue(1).ue(1).ue(1) // crop 1 pixel per side (ChromaArrayType 0)
	return w.nalu(0x67)
}

// baselineSPS writes a progressive constrained baseline SPS of the given
// size in macroblocks with pic_order_cnt_type 2 and the given cropping
// offsets (left, right, top, bottom), none when crop is nil.
func baselineSPS(wMBs, hMBs uint32, crop []uint32) []byte {
	w := &bitWriter{}
	w.u(8, 66).u(8, 0xc0).u(8, 30).ue(0).ue(0).ue(2).ue(1).u(1, 0)
	w.ue(wMBs-1).ue(hMBs-1).u(1, 1).u(1, 1)
	w.u(1, uint32(min(len(crop), 1)))
	for _, c := range crop {
		w.ue(c)
	}
	return w.nalu(0x67)
}

// longGolombSPS has an Exp-Golomb prefix of 40 zero bits.
func longGolombSPS() []byte {
	w := &bitWriter{}
	w.u(8, 66).u(8, 0).u(8, 30)
	for range 5 {
		w.u(8, 0)
	}
	w.u(8, 0xff)
	return w.nalu(0x67)
}

// badChromaSPS claims chroma_format_idc 4.
func badChromaSPS() []byte {
	w := &bitWriter{}
	w.u(8, 100).u(8, 0).u(8, 40).ue(0).ue(4).ue(0).ue(0).u(1, 0).u(1, 0)
	w.ue(0).ue(0).ue(1).u(1, 0).ue(119).ue(67).u(1, 1).u(1, 1).u(1, 0)
	return w.nalu(0x67)
}

// badPOCSPS claims pic_order_cnt_type 3.
func badPOCSPS() []byte {
	w := &bitWriter{}
	w.u(8, 66).u(8, 0xc0).u(8, 30).ue(0).ue(0).ue(3).ue(1).u(1, 0)
	w.ue(39).ue(29).u(1, 1).u(1, 1).u(1, 0)
	return w.nalu(0x67)
}

type spsCase struct {
	name    string
	sps     []byte
	maxSide int
	want    SPS
	wantErr error
}

func spsCases() []spsCase {
	return []spsCase{
		{"x264 baseline 640x480", unhex("6742c016d900a03db011000003000100000300020f162e48"), MaxSide, SPS{66, 0xc0, 22, 640, 480}, nil},
		{"x264 high 1920x1080", unhex("67640028acd940780227e5c044000003000400000300083c60c658"), MaxSide, SPS{100, 0, 40, 1920, 1080}, nil},
		{"x264 main 176x144", unhex("674d400aeca16276022000000300200000030041e244b2c0"), MaxSide, SPS{77, 0x40, 10, 176, 144}, nil},
		{"x264 high422 1280x720", unhex("677a001fbcd9405005bb011000000300100000030020f1831960"), MaxSide, SPS{122, 0, 31, 1280, 720}, nil},
		{"x264 high 1280x544", unhex("6764001facd94050045b011000000300100000030020f1831960"), MaxSide, SPS{100, 0, 31, 1280, 544}, nil},
		{"x264 interlaced 720x576", unhex("67640016acd940b424d808800000030080000003010f8a14cb"), MaxSide, SPS{100, 0, 22, 720, 576}, nil},
		{"x264 baseline 642x362", unhex("6742c016d900a42fe224c044000003000400000300083c58b920"), MaxSide, SPS{66, 0xc0, 22, 642, 362}, nil},
		{"high 4:4:4 scaling poc1", highSPS(), MaxSide, SPS{244, 0, 51, 1918, 1086}, nil},
		{"8192x4320 under MaxSide", baselineSPS(512, 270, nil), MaxSide, SPS{66, 0xc0, 30, 8192, 4320}, nil},
		{"8192x4320 over 4096", baselineSPS(512, 270, nil), 4096, SPS{}, ErrTooLarge},
		{"4096x2304 at 4096", baselineSPS(256, 144, nil), 4096, SPS{66, 0xc0, 30, 4096, 2304}, nil},
		{"coded 4112 cropped to 4096", baselineSPS(257, 144, []uint32{8, 0, 0, 0}), 4096, SPS{}, ErrTooLarge},
		{"limit 0 means MaxSide", baselineSPS(512, 270, nil), 0, SPS{66, 0xc0, 30, 8192, 4320}, nil},
		{"huge picture", baselineSPS(1<<20, 11, nil), MaxSide, SPS{}, ErrTooLarge},
		{"over-cropped", baselineSPS(2, 2, []uint32{16, 0, 0, 0}), MaxSide, SPS{}, ErrMalformed},
		{"crop sum wraps around", baselineSPS(40, 30, []uint32{1<<32 - 2, 3, 0, 0}), MaxSide, SPS{}, ErrMalformed},
		{"long exp-golomb", longGolombSPS(), MaxSide, SPS{}, ErrMalformed},
		{"chroma_format_idc 4", badChromaSPS(), MaxSide, SPS{}, ErrMalformed},
		{"pic_order_cnt_type 3", badPOCSPS(), MaxSide, SPS{}, ErrMalformed},
		{"over 4096 bytes", append(baselineSPS(40, 30, nil), make([]byte, maxSPSBytes)...), MaxSide, SPS{}, ErrMalformed},
		{"truncated", unhex("6742c016d900"), MaxSide, SPS{}, ErrMalformed},
		{"pps", unhex("68cb83cb20"), MaxSide, SPS{}, ErrMalformed},
		{"empty", nil, MaxSide, SPS{}, ErrMalformed},
	}
}

func TestParseSPS(t *testing.T) {
	for _, c := range spsCases() {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSPS(c.sps, c.maxSide)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) || got != (SPS{}) {
					t.Fatalf("ParseSPS = %+v, %v; want %v", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseSPS = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

// FuzzParseSPS checks that no input panics the parser or yields a picture
// outside the caller's limit, with the widest limit and the transcoder's.
func FuzzParseSPS(f *testing.F) {
	for _, c := range spsCases() {
		f.Add(c.sps)
	}
	f.Fuzz(func(t *testing.T, sps []byte) {
		for _, limit := range []int{MaxSide, 4096} {
			s, err := ParseSPS(sps, limit)
			if err == nil && (s.Width <= 0 || s.Height <= 0 || s.Width > limit || s.Height > 2*limit) {
				t.Fatalf("ParseSPS(% x, %d) size %dx%d", sps, limit, s.Width, s.Height)
			}
		}
	})
}

// The cases above are ParseSPS's own table; these check what H264SPSInfo
// adds: the order of the results and ErrBadSPS.
type spsInfoCase struct {
	name                 string
	sps                  []byte
	profile, cons, level uint8
	width, height        int
	bad                  bool
}

func spsInfoCases(t testing.TB) []spsInfoCase {
	return []spsInfoCase{
		{"x264 baseline 640x480", mustHex(t, testSPSHex), 66, 0xc0, 22, 640, 480, false},
		{"x264 high 1920x1080", mustHex(t, "67640028acd940780227e5c044000003000400000300083c60c658"), 100, 0, 40, 1920, 1080, false},
		{"huge picture", mustHex(t, "6742c01eda000004000045e8"), 0, 0, 0, 0, 0, true},
		{"truncated", mustHex(t, "6742c016d900"), 0, 0, 0, 0, 0, true},
		{"pps", mustHex(t, testPPSHex), 0, 0, 0, 0, 0, true},
		{"empty", nil, 0, 0, 0, 0, 0, true},
	}
}

func TestH264SPSInfo(t *testing.T) {
	for _, c := range spsInfoCases(t) {
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
	for _, c := range spsInfoCases(f) {
		f.Add(c.sps)
	}
	f.Fuzz(func(t *testing.T, sps []byte) {
		_, _, _, w, h, err := H264SPSInfo(sps)
		if err == nil && (w <= 0 || h <= 0 || w > MaxSide || h > 2*MaxSide) {
			t.Fatalf("H264SPSInfo(% x) size %dx%d", sps, w, h)
		}
	})
}
