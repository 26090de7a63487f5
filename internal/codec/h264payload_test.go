package codec

import (
	"bytes"
	"errors"
	"testing"
)

var stapCases = []struct {
	name  string
	nalus [][]byte
	want  []byte
}{
	{"sps pps", [][]byte{{0x67, 0x42}, {0x68, 0xce, 0x01}}, []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x03, 0x68, 0xce, 0x01}},
	{"max nri", [][]byte{{0x27, 0x42}, {0x48, 0xce}}, []byte{0x58, 0x00, 0x02, 0x27, 0x42, 0x00, 0x02, 0x48, 0xce}},
	{"forbidden bit carried", [][]byte{{0x87}}, []byte{0x98, 0x00, 0x01, 0x87}},
	{"none", nil, nil},
	{"empty unit", [][]byte{{0x67}, {}}, nil},
	{"oversize unit", [][]byte{make([]byte, 70000)}, nil},
}

func TestBuildSTAPA(t *testing.T) {
	for _, c := range stapCases {
		t.Run(c.name, func(t *testing.T) {
			if got := BuildSTAPA(c.nalus...); !bytes.Equal(got, c.want) {
				t.Fatalf("BuildSTAPA = % x, want % x", got, c.want)
			}
		})
	}
}

func FuzzBuildSTAPA(f *testing.F) {
	for _, c := range stapCases {
		if len(c.nalus) == 2 {
			f.Add(c.nalus[0], c.nalus[1])
		}
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		out := BuildSTAPA(a, b)
		if out == nil {
			return
		}
		if !H264IsKeyframe(out) && (H264NALType(a[0]) == H264SPS || H264NALType(b[0]) == H264SPS) {
			t.Fatalf("STAP-A with an SPS is not a keyframe: % x", out)
		}
		sps := PayloadSPS(out)
		switch {
		case H264NALType(a[0]) == H264SPS:
			if !bytes.Equal(sps, a) {
				t.Fatalf("PayloadSPS = % x, want % x", sps, a)
			}
		case H264NALType(b[0]) == H264SPS:
			if !bytes.Equal(sps, b) {
				t.Fatalf("PayloadSPS = % x, want % x", sps, b)
			}
		case sps != nil:
			t.Fatalf("PayloadSPS found % x in a STAP-A without one", sps)
		}
	})
}

var payloadSPSCases = []struct {
	name    string
	payload []byte
	want    []byte
}{
	{"single sps", []byte{0x67, 0x42, 0x00}, []byte{0x67, 0x42, 0x00}},
	{"stap-a sps pps", []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce}, []byte{0x67, 0x42}},
	{"stap-a pps sps", []byte{0x78, 0x00, 0x01, 0x68, 0x00, 0x02, 0x67, 0x42}, []byte{0x67, 0x42}},
	{"stap-a without sps", []byte{0x78, 0x00, 0x02, 0x68, 0xce}, nil},
	{"stap-a overflow", []byte{0x78, 0xff, 0xff, 0x67}, nil},
	{"stap-a zero size", []byte{0x78, 0x00, 0x00, 0x67}, nil},
	{"idr", []byte{0x65, 0x88}, nil},
	{"fu-a", []byte{0x7c, 0x87, 0x42}, nil},
	{"empty", nil, nil},
}

func TestPayloadSPS(t *testing.T) {
	for _, c := range payloadSPSCases {
		t.Run(c.name, func(t *testing.T) {
			if got := PayloadSPS(c.payload); !bytes.Equal(got, c.want) {
				t.Fatalf("PayloadSPS = % x, want % x", got, c.want)
			}
		})
	}
}

func FuzzPayloadSPS(f *testing.F) {
	for _, c := range payloadSPSCases {
		f.Add(c.payload)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		sps := PayloadSPS(p)
		if sps != nil && (len(sps) == 0 || H264NALType(sps[0]) != H264SPS || len(sps) > len(p)) {
			t.Fatalf("PayloadSPS(% x) = % x", p, sps)
		}
	})
}

var walkCases = []struct {
	name  string
	p     []byte
	units [][]byte
	bad   bool
}{
	{"single idr", []byte{0x65, 0x88}, [][]byte{{0x65, 0x88}}, false},
	{"single type 23", []byte{0x17}, [][]byte{{0x17}}, false},
	{"stap-a two units", []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68}, [][]byte{{0x67, 0x42}, {0x68}}, false},
	{"stap-a empty", []byte{0x78}, nil, false},
	{"stap-a trailing byte", []byte{0x78, 0x00, 0x01, 0x68, 0x00}, [][]byte{{0x68}}, true},
	{"stap-a overflow after a unit", []byte{0x78, 0x00, 0x01, 0x68, 0xff, 0xff, 0x67}, [][]byte{{0x68}}, true},
	{"stap-a zero size", []byte{0x78, 0x00, 0x00, 0x67}, nil, true},
	{"fu-a", []byte{0x7c, 0x85, 0x88}, nil, true},
	{"stap-b", []byte{0x79, 0x00, 0x00}, nil, true},
	{"type 0", []byte{0x00, 0x01}, nil, true},
	{"empty", nil, nil, true},
}

func TestWalkH264NALs(t *testing.T) {
	for _, c := range walkCases {
		t.Run(c.name, func(t *testing.T) {
			var got [][]byte
			err := WalkH264NALs(c.p, func(nal []byte) bool {
				got = append(got, nal)
				return true
			})
			if c.bad != errors.Is(err, ErrMalformedPayload) || (!c.bad && err != nil) {
				t.Fatalf("err = %v, want malformed %v", err, c.bad)
			}
			if len(got) != len(c.units) {
				t.Fatalf("units % x, want % x", got, c.units)
			}
			for i := range got {
				if !bytes.Equal(got[i], c.units[i]) {
					t.Fatalf("unit %d = % x, want % x", i, got[i], c.units[i])
				}
			}
		})
	}
}

func TestWalkH264NALsStops(t *testing.T) {
	calls := 0
	err := WalkH264NALs([]byte{0x78, 0x00, 0x01, 0x67, 0xff, 0xff}, func([]byte) bool {
		calls++
		return false
	})
	if calls != 1 || err != nil {
		t.Fatalf("%d calls, err %v; want 1 call and no error", calls, err)
	}
}

func FuzzWalkH264NALs(f *testing.F) {
	for _, c := range walkCases {
		f.Add(c.p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		total := 0
		_ = WalkH264NALs(p, func(nal []byte) bool {
			if len(nal) == 0 || len(nal) > len(p) {
				t.Fatalf("unit % x of payload % x", nal, p)
			}
			total += len(nal)
			return true
		})
		if total > len(p) {
			t.Fatalf("units of %d bytes in a payload of %d", total, len(p))
		}
	})
}

var fuaCases = []struct {
	name string
	p    []byte
	want H264FU
	bad  bool
}{
	{"idr start", []byte{0x7c, 0x85, 0x88, 0x01}, H264FU{Start: true, Header: 0x65, Data: []byte{0x88, 0x01}}, false},
	{"end", []byte{0x5c, 0x41, 0x9a}, H264FU{End: true, Header: 0x41, Data: []byte{0x9a}}, false},
	{"forbidden bit kept", []byte{0xfc, 0x81}, H264FU{Start: true, Header: 0xe1, Data: []byte{}}, false},
	{"indicator only", []byte{0x7c}, H264FU{}, true},
	{"not fu-a", []byte{0x65, 0x85}, H264FU{}, true},
	{"empty", nil, H264FU{}, true},
}

func TestParseH264FUA(t *testing.T) {
	for _, c := range fuaCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseH264FUA(c.p)
			if c.bad {
				if !errors.Is(err, ErrMalformedPayload) {
					t.Fatalf("err = %v, want ErrMalformedPayload", err)
				}
				return
			}
			if err != nil || got.Start != c.want.Start || got.End != c.want.End ||
				got.Header != c.want.Header || !bytes.Equal(got.Data, c.want.Data) {
				t.Fatalf("ParseH264FUA = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func TestH264FUNALHead(t *testing.T) {
	fu, err := ParseH264FUA([]byte{0x7c, 0x81, 0xa0, 0x01, 0x02})
	if err != nil {
		t.Fatal(err)
	}
	if got := fu.NALHead(2); !bytes.Equal(got, []byte{0x61, 0xa0, 0x01}) || fu.Type() != H264Slice {
		t.Fatalf("NALHead(2) = % x, type %d", got, fu.Type())
	}
	if got := fu.NALHead(16); !bytes.Equal(got, []byte{0x61, 0xa0, 0x01, 0x02}) {
		t.Fatalf("NALHead(16) = % x", got)
	}
}

func FuzzParseH264FUA(f *testing.F) {
	for _, c := range fuaCases {
		f.Add(c.p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		fu, err := ParseH264FUA(p)
		if err != nil {
			return
		}
		if len(fu.Data) != len(p)-2 || fu.Header&0x80 != p[0]&0x80 || len(fu.NALHead(16)) > 17 {
			t.Fatalf("ParseH264FUA(% x) = %+v", p, fu)
		}
	})
}
