package codec

import (
	"errors"
	"testing"
)

// bitWriter builds synthetic SPS RBSPs for the cases encoders rarely emit.
type bitWriter struct {
	buf  []byte
	nbit int
}

func (w *bitWriter) u(n int, v uint32) *bitWriter {
	for i := n - 1; i >= 0; i-- {
		if w.nbit%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		if v>>i&1 == 1 {
			w.buf[len(w.buf)-1] |= 0x80 >> (w.nbit % 8)
		}
		w.nbit++
	}
	return w
}

func (w *bitWriter) ue(v uint32) *bitWriter {
	x := uint64(v) + 1
	n := 0
	for x>>n > 1 {
		n++
	}
	w.u(n, 0)
	return w.u(n+1, uint32(x))
}

func (w *bitWriter) se(v int32) *bitWriter {
	if v > 0 {
		return w.ue(uint32(2*v - 1))
	}
	return w.ue(uint32(-2 * v))
}

// nalu returns the SPS NAL unit with a trailing stop bit, escaped so that no
// start code appears in it (§7.4.1).
func (w *bitWriter) nalu() []byte {
	w.u(1, 1)
	out := []byte{0x67}
	zeros := 0
	for _, c := range w.buf {
		if zeros >= 2 && c <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
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
	return w.nalu()
}

// bigSPS claims a picture far beyond any level.
func bigSPS() []byte {
	w := &bitWriter{}
	w.u(8, 66).u(8, 0xc0).u(8, 30).ue(0).ue(0).ue(2).ue(1).u(1, 0)
	w.ue(1<<20).ue(10).u(1, 1).u(1, 1).u(1, 0)
	return w.nalu()
}

// overCroppedSPS crops more than the picture has.
func overCroppedSPS() []byte {
	w := &bitWriter{}
	w.u(8, 66).u(8, 0xc0).u(8, 30).ue(0).ue(0).ue(2).ue(1).u(1, 0)
	w.ue(1).ue(1).u(1, 1).u(1, 1).u(1, 1).ue(16).ue(0).ue(0).ue(0)
	return w.nalu()
}

// longGolombSPS has an Exp-Golomb prefix of 40 zero bits.
func longGolombSPS() []byte {
	w := &bitWriter{}
	w.u(8, 66).u(8, 0).u(8, 30)
	for range 5 {
		w.u(8, 0)
	}
	w.u(8, 0xff)
	return w.nalu()
}

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
		{"x264 main 176x144", mustHex(t, "674d400aeca16276022000000300200000030041e244b2c0"), 77, 0x40, 10, 176, 144, false},
		{"x264 high422 1280x720", mustHex(t, "677a001fbcd9405005bb011000000300100000030020f1831960"), 122, 0, 31, 1280, 720, false},
		{"x264 high 1280x544", mustHex(t, "6764001facd94050045b011000000300100000030020f1831960"), 100, 0, 31, 1280, 544, false},
		{"x264 interlaced 720x576", mustHex(t, "67640016acd940b424d808800000030080000003010f8a14cb"), 100, 0, 22, 720, 576, false},
		{"x264 baseline 642x362", mustHex(t, "6742c016d900a42fe224c044000003000400000300083c58b920"), 66, 0xc0, 22, 642, 362, false},
		{"high 4:4:4 scaling poc1", highSPS(), 244, 0, 51, 1918, 1086, false},
		{"huge picture", bigSPS(), 0, 0, 0, 0, 0, true},
		{"over-cropped", overCroppedSPS(), 0, 0, 0, 0, 0, true},
		{"long exp-golomb", longGolombSPS(), 0, 0, 0, 0, 0, true},
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

func TestUnescapeRBSP(t *testing.T) {
	got := unescapeRBSP([]byte{0, 0, 3, 1, 0, 0, 3, 0, 0, 3})
	want := []byte{0, 0, 1, 0, 0, 0, 0}
	if string(got) != string(want) {
		t.Fatalf("unescapeRBSP = % x, want % x", got, want)
	}
}

func FuzzH264SPSInfo(f *testing.F) {
	for _, c := range spsCases(f) {
		f.Add(c.sps)
	}
	f.Fuzz(func(t *testing.T, sps []byte) {
		_, _, _, w, h, err := H264SPSInfo(sps)
		if err == nil && (w <= 0 || h <= 0 || w > maxPictureMBs*16 || h > 2*maxPictureMBs*16) {
			t.Fatalf("H264SPSInfo(% x) size %dx%d", sps, w, h)
		}
	})
}
