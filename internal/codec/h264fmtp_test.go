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
		if len(sps) == 0 || H264NALType(sps[0]) != H264SPS || len(pps) == 0 || H264NALType(pps[0]) != H264PPS {
			t.Fatalf("ParseSprop(%q) = % x, % x", s, sps, pps)
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
