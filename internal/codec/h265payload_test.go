package codec

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
)

// H.265 NAL unit headers of the tests (type<<1, then LayerId 0 and TID 1).
var (
	hVPS   = []byte{0x40, 0x01, 0x0c}
	hSPS   = []byte{0x42, 0x01, 0x01}
	hPPS   = []byte{0x44, 0x01, 0xc1}
	hIDR   = []byte{0x26, 0x01, 0xaf, 0x08}       // IDR_W_RADL, first slice
	hCRA   = []byte{0x2a, 0x01, 0x80}             // CRA
	hTrail = []byte{0x02, 0x01, 0xd0}             // TRAIL_R, first slice
	hTrl2  = []byte{0x02, 0x01, 0x40, 0x01}       // TRAIL_R, a later slice
	hSEI   = []byte{0x4e, 0x01, 0x05, 0xff, 0xff} // prefix SEI
)

var h265WalkCases = []struct {
	name    string
	payload []byte
	want    [][]byte
	err     bool
}{
	{"single idr", hIDR, [][]byte{hIDR}, false},
	{"single vps", hVPS, [][]byte{hVPS}, false},
	{"ap vps sps pps", BuildH265AP(hVPS, hSPS, hPPS), [][]byte{hVPS, hSPS, hPPS}, false},
	{"ap overflow", []byte{0x60, 0x01, 0xff, 0xff, 0x40}, nil, true},
	{"ap unit shorter than a header", []byte{0x60, 0x01, 0x00, 0x01, 0x40}, nil, true},
	{"ap second truncated", []byte{0x60, 0x01, 0x00, 0x03, 0x40, 0x01, 0x0c, 0x00}, [][]byte{hVPS}, true},
	{"fu", []byte{0x62, 0x01, 0x93, 0xaf}, nil, true},
	{"paci", []byte{0x64, 0x01, 0x00}, nil, true},
	{"one byte", []byte{0x26}, nil, true},
	{"empty", nil, nil, true},
}

func TestWalkH265NALs(t *testing.T) {
	for _, c := range h265WalkCases {
		t.Run(c.name, func(t *testing.T) {
			var got [][]byte
			err := WalkH265NALs(c.payload, func(n []byte) bool {
				got = append(got, n)
				return true
			})
			if (err != nil) != c.err || (err != nil && !errors.Is(err, ErrMalformedPayload)) {
				t.Fatalf("err = %v, want error %v", err, c.err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("units = %x, want %x", got, c.want)
			}
			for i := range got {
				if !bytes.Equal(got[i], c.want[i]) {
					t.Fatalf("unit %d = % x, want % x", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestBuildH265AP(t *testing.T) {
	ap := BuildH265AP(hVPS, hSPS, hPPS)
	want := []byte{0x60, 0x01, 0x00, 0x03, 0x40, 0x01, 0x0c, 0x00, 0x03, 0x42, 0x01, 0x01, 0x00, 0x03, 0x44, 0x01, 0xc1}
	if !bytes.Equal(ap, want) {
		t.Fatalf("BuildH265AP = % x, want % x", ap, want)
	}
	// LayerId 33 (high bit in byte 0) and TID 3 in one unit, TID 2 in the
	// other: the header takes the lowest of each.
	mixed := BuildH265AP([]byte{0x41, 0x0b, 0x00}, []byte{0x43, 0x0a, 0x00})
	if mixed[0] != 0x61 || mixed[1] != 0x0a {
		t.Fatalf("mixed header % x, want 61 0a", mixed[:2])
	}
	for _, bad := range [][][]byte{nil, {hVPS}, {hVPS, {0x40}}, {hVPS, make([]byte, 70000)}} {
		if got := BuildH265AP(bad...); got != nil {
			t.Fatalf("BuildH265AP(%d units) = % x, want nil", len(bad), got)
		}
	}
}

var h265FUCases = []struct {
	name       string
	payload    []byte
	start, end bool
	header     [2]byte
	err        bool
}{
	{"idr start", []byte{0x62, 0x01, 0x93, 0xaf}, true, false, [2]byte{0x26, 0x01}, false},
	{"idr end", []byte{0x62, 0x01, 0x53, 0xaf}, false, true, [2]byte{0x26, 0x01}, false},
	{"trail middle", []byte{0x62, 0x01, 0x01, 0x00}, false, false, [2]byte{0x02, 0x01}, false},
	{"layer high bit kept", []byte{0x63, 0x09, 0x95}, true, false, [2]byte{0x2b, 0x09}, false},
	{"start and end", []byte{0x62, 0x01, 0xd3, 0x00}, false, false, [2]byte{}, true},
	{"header only", []byte{0x62, 0x01}, false, false, [2]byte{}, true},
	{"not fu", []byte{0x26, 0x01, 0x93}, false, false, [2]byte{}, true},
}

func TestParseH265FU(t *testing.T) {
	for _, c := range h265FUCases {
		t.Run(c.name, func(t *testing.T) {
			fu, err := ParseH265FU(c.payload)
			if (err != nil) != c.err {
				t.Fatalf("err = %v, want error %v", err, c.err)
			}
			if err != nil {
				return
			}
			if fu.Start != c.start || fu.End != c.end || fu.Header != c.header {
				t.Fatalf("got start %v end %v header % x, want %v %v % x", fu.Start, fu.End, fu.Header, c.start, c.end, c.header)
			}
			if !bytes.Equal(fu.Data, c.payload[3:]) {
				t.Fatalf("data % x", fu.Data)
			}
		})
	}
}

var h265KeyCases = []struct {
	name    string
	payload []byte
	want    bool
}{
	{"idr", hIDR, true},
	{"cra", hCRA, true},
	{"bla", []byte{0x20, 0x01, 0x80}, true},
	{"rsv irap 22 is not", []byte{0x2c, 0x01, 0x80}, false},
	{"vps", hVPS, true},
	{"sps", hSPS, true},
	{"pps", hPPS, false},
	{"trail", hTrail, false},
	{"sei", hSEI, false},
	{"ap sei idr", BuildH265AP(hSEI, hIDR), true},
	{"ap pps only", BuildH265AP(hPPS, hSEI), false},
	{"fu idr start", []byte{0x62, 0x01, 0x93, 0xaf}, true},
	{"fu idr middle", []byte{0x62, 0x01, 0x13, 0xaf}, false},
	{"fu trail start", []byte{0x62, 0x01, 0x81, 0xaf}, false},
	{"fu truncated", []byte{0x62, 0x01}, false},
	{"empty", nil, false},
}

func TestH265IsKeyframe(t *testing.T) {
	for _, c := range h265KeyCases {
		t.Run(c.name, func(t *testing.T) {
			if got := IsKeyframe("video/h265", c.payload); got != c.want {
				t.Fatalf("IsKeyframe(% x) = %v, want %v", c.payload, got, c.want)
			}
		})
	}
}

func TestH265StartsAccessUnit(t *testing.T) {
	for _, c := range []struct {
		nal  []byte
		want bool
	}{{hVPS, true}, {hSEI, true}, {hIDR, true}, {hTrail, true}, {hTrl2, false}, {[]byte{0x02, 0x01}, false}, {[]byte{0x02}, false}} {
		if got := H265StartsAccessUnit(c.nal); got != c.want {
			t.Errorf("H265StartsAccessUnit(% x) = %v, want %v", c.nal, got, c.want)
		}
	}
}

func TestH265PayloadSPS(t *testing.T) {
	if got := H265PayloadSPS(BuildH265AP(hVPS, hSPS, hPPS)); !bytes.Equal(got, hSPS) {
		t.Fatalf("SPS in AP = % x", got)
	}
	if got := H265PayloadSPS(hSPS); !bytes.Equal(got, hSPS) {
		t.Fatalf("single SPS = % x", got)
	}
	if got := H265PayloadSPS(hIDR); got != nil {
		t.Fatalf("SPS in an IDR = % x", got)
	}
}

func TestFmtpParameterSets(t *testing.T) {
	b := base64.StdEncoding.EncodeToString
	fmtp := "sprop-vps=" + b(hVPS) + ";sprop-sps=" + b(hSPS) + ";sprop-pps=" + b(hPPS)
	got := FmtpParameterSets("video/H265", fmtp)
	if len(got) != 3 || !bytes.Equal(got[0], hVPS) || !bytes.Equal(got[1], hSPS) || !bytes.Equal(got[2], hPPS) {
		t.Fatalf("FmtpParameterSets = %x", got)
	}
	if ap := AggregateNALs("video/h265", got); !bytes.Equal(ap, BuildH265AP(hVPS, hSPS, hPPS)) {
		t.Fatalf("AggregateNALs = % x", ap)
	}
	if got := FmtpParameterSets("video/VP8", fmtp); got != nil {
		t.Fatalf("VP8 parameter sets %x", got)
	}
}

// FuzzH265Depacketize walks any payload as the transcoder and the keyframe
// test do: every unit the walker yields lies inside the payload and holds
// a whole header, fragmentation units parse without panicking, and an
// aggregation packet rebuilt from the units walks to the same units.
func FuzzH265Depacketize(f *testing.F) {
	for _, c := range h265WalkCases {
		f.Add(c.payload)
	}
	for _, c := range h265FUCases {
		f.Add(c.payload)
	}
	for _, c := range h265KeyCases {
		f.Add(c.payload)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		H265IsKeyframe(p)
		if fu, err := ParseH265FU(p); err == nil {
			if fu.Start && fu.End || len(fu.Data) != len(p)-3 || fu.Type() != p[2]&0x3f {
				t.Fatalf("fragment %+v of % x", fu, p)
			}
			fu.NALHead(8)
		}
		var units [][]byte
		_ = WalkH265NALs(p, func(n []byte) bool {
			if len(n) < H265NALHeaderLen || len(n) > len(p) {
				t.Fatalf("unit of %d bytes in a payload of %d", len(n), len(p))
			}
			H265StartsAccessUnit(n)
			units = append(units, n)
			return true
		})
		if len(units) < 2 {
			return
		}
		var again [][]byte
		if err := WalkH265NALs(BuildH265AP(units...), func(n []byte) bool {
			again = append(again, n)
			return true
		}); err != nil || len(again) != len(units) {
			t.Fatalf("rebuilt AP walks to %d units (%v), want %d", len(again), err, len(units))
		}
	})
}
