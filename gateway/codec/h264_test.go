package codec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A baseline 640x480 SPS and its PPS, as libx264 writes them.
const (
	testSPSHex = "6742c016d900a03db011000003000100000300020f162e48"
	testPPSHex = "68cb83cb20"
)

var spropCases = []struct {
	name string
	in   string
	err  error
}{
	{"value", "Z0LAFtkAoD2wEQAAAwABAAADAAIPFi5I,aMuDyyA=", nil},
	{"value without padding", "Z0LAFtkAoD2wEQAAAwABAAADAAIPFi5I,aMuDyyA", nil},
	{"fmtp", "packetization-mode=1;profile-level-id=42c016;sprop-parameter-sets=Z0LAFtkAoD2wEQAAAwABAAADAAIPFi5I,aMuDyyA=", nil},
	{"fmtp spaces and case", "profile-level-id=42c016; Sprop-Parameter-Sets = Z0LAFtkAoD2wEQAAAwABAAADAAIPFi5I , aMuDyyA=", nil},
	{"pps first", "aMuDyyA=,Z0LAFtkAoD2wEQAAAwABAAADAAIPFi5I", nil},
	{"fmtp without sprop", "packetization-mode=1;profile-level-id=42e01f", ErrNoSprop},
	{"single fmtp param", "packetization-mode=1", ErrNoSprop},
	{"sps only", "Z0LAFtkAoD2wEQAAAwABAAADAAIPFi5I", ErrBadSprop},
	{"pps only", "aMuDyyA=", ErrBadSprop},
	{"not base64", "!!!,???", ErrBadSprop},
	{"empty", "", ErrBadSprop},
	{"empty parts", ",,", ErrBadSprop},
}

func TestParseSprop(t *testing.T) {
	wantSPS, wantPPS := mustHex(t, testSPSHex), mustHex(t, testPPSHex)
	for _, c := range spropCases {
		t.Run(c.name, func(t *testing.T) {
			sps, pps, err := ParseSprop(c.in)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sps, wantSPS) || !bytes.Equal(pps, wantPPS) {
				t.Fatalf("sps % x pps % x", sps, pps)
			}
		})
	}
}

func FuzzParseSprop(f *testing.F) {
	for _, c := range spropCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sps, pps, err := ParseSprop(s)
		if err != nil {
			return
		}
		if len(sps) == 0 || sps[0]&naluTypeMask != naluSPS || len(pps) == 0 || pps[0]&naluTypeMask != naluPPS {
			t.Fatalf("ParseSprop(%q) = % x, % x", s, sps, pps)
		}
	})
}

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
		if !H264IsKeyframe(out) && (a[0]&naluTypeMask == naluSPS || b[0]&naluTypeMask == naluSPS) {
			t.Fatalf("STAP-A with an SPS is not a keyframe: % x", out)
		}
		sps := PayloadSPS(out)
		switch {
		case a[0]&naluTypeMask == naluSPS:
			if !bytes.Equal(sps, a) {
				t.Fatalf("PayloadSPS = % x, want % x", sps, a)
			}
		case b[0]&naluTypeMask == naluSPS:
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
		if sps != nil && (len(sps) == 0 || sps[0]&naluTypeMask != naluSPS || len(sps) > len(p)) {
			t.Fatalf("PayloadSPS(% x) = % x", p, sps)
		}
	})
}

func TestProfileLevelID(t *testing.T) {
	cases := []struct {
		fmtp    string
		p, c, l uint8
		ok      bool
	}{
		{"packetization-mode=1;profile-level-id=42e01f", 0x42, 0xe0, 0x1f, true},
		{"profile-level-id=640C1F", 0x64, 0x0c, 0x1f, true},
		{"profile-level-id=42e0", 0, 0, 0, false},
		{"profile-level-id=zzzzzz", 0, 0, 0, false},
		{"packetization-mode=1", 0, 0, 0, false},
	}
	for _, c := range cases {
		p, cs, l, ok := ProfileLevelID(c.fmtp)
		if p != c.p || cs != c.c || l != c.l || ok != c.ok {
			t.Errorf("ProfileLevelID(%q) = %x %x %x %v", c.fmtp, p, cs, l, ok)
		}
	}
}
