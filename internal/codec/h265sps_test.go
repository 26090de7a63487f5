package codec

import (
	"encoding/base64"
	"errors"
	"testing"
)

// Parameter sets of real encodes (libx265 through ffmpeg: 720p and 1080p
// Main, CIF Main 10), as sprop-vps, sprop-sps and sprop-pps carry them.
const (
	vps720  = "QAEMAf//AWAAAAMAkAAAAwAAAwBdlZgJ"
	sps720  = "QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WWVmkkyvAWgIAAAMAAgAAAwA8EA=="
	sps1080 = "QgEBAWAAAAMAkAAAAwAAAwB4oAPAgBDlllZpJMrwFoCAAAADAIAAAA8E"
	spsM10  = "QgEBAiAAAAMAkAAAAwAAAwA8oAsIBITZZWaSTK8BaAgAAAMACAAAAwDwQA=="
	pps720  = "RAHBcrRiQA=="
)

var h265SPSCases = []struct {
	name    string
	sps     string
	maxSide int
	want    H265SPSFields
	err     error
}{
	{"720p main", sps720, 0, H265SPSFields{Profile: H265Profile{ProfileID: 1, LevelID: 93}, ChromaFormat: 1, BitDepth: 8, Width: 1280, Height: 720}, nil},
	{"1080p cropped", sps1080, 0, H265SPSFields{Profile: H265Profile{ProfileID: 1, LevelID: 120}, ChromaFormat: 1, BitDepth: 8, Width: 1920, Height: 1080}, nil},
	{"cif main 10", spsM10, 0, H265SPSFields{Profile: H265Profile{ProfileID: 2, LevelID: 60}, ChromaFormat: 1, BitDepth: 10, Width: 352, Height: 288}, nil},
	{"over the cap", sps1080, 1280, H265SPSFields{}, ErrTooLarge},
	{"truncated", sps720[:20], 0, H265SPSFields{}, ErrMalformed},
	{"a vps", vps720, 0, H265SPSFields{}, ErrMalformed},
}

func TestParseH265SPS(t *testing.T) {
	for _, c := range h265SPSCases {
		t.Run(c.name, func(t *testing.T) {
			raw, _ := base64.StdEncoding.DecodeString(c.sps)
			if raw == nil {
				raw, _ = base64.RawStdEncoding.DecodeString(c.sps)
			}
			got, err := ParseH265SPS(raw, c.maxSide)
			if !errors.Is(err, c.err) || (c.err != nil) != (err != nil) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func FuzzParseH265SPS(f *testing.F) {
	for _, c := range h265SPSCases {
		raw, _ := base64.RawStdEncoding.DecodeString(c.sps[:len(c.sps)&^3])
		f.Add(raw, c.maxSide)
	}
	f.Fuzz(func(t *testing.T, nal []byte, maxSide int) {
		s, err := ParseH265SPS(nal, maxSide)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		side := maxSide
		if side < 16 || side > MaxSide {
			side = MaxSide
		}
		if s.Width <= 0 || s.Height <= 0 || s.Width > side || s.Height > side {
			t.Fatalf("size %dx%d with a cap of %d", s.Width, s.Height, side)
		}
	})
}

var h265FmtpCases = []struct {
	name    string
	fmtp    string
	profile H265Profile
	sprop   bool
	err     error // of ParseH265Sprop, when sprop is false
}{
	{"webrtc", "level-id=180;profile-id=1;tier-flag=0;tx-mode=SRST", H265Profile{1, 0, 180}, false, ErrNoSprop},
	{"defaults", "", H265Profile{1, 0, 93}, false, ErrNoSprop},
	{"sprop", "profile-id=1;sprop-vps=" + vps720 + ";sprop-sps=" + sps720 + ";sprop-pps=" + pps720, H265Profile{1, 0, 93}, true, nil},
	{"sprop several", "sprop-vps=" + vps720 + "," + vps720 + ";sprop-sps=" + sps720 + ";sprop-pps=" + pps720, H265Profile{1, 0, 93}, true, nil},
	{"sprop without pps", "sprop-vps=" + vps720 + ";sprop-sps=" + sps720, H265Profile{1, 0, 93}, false, ErrBadSprop},
	{"sprop swapped", "sprop-vps=" + sps720 + ";sprop-sps=" + vps720 + ";sprop-pps=" + pps720, H265Profile{1, 0, 93}, false, ErrBadSprop},
	{"sprop not base64", "sprop-vps=!!;sprop-sps=" + sps720 + ";sprop-pps=" + pps720, H265Profile{1, 0, 93}, false, ErrBadSprop},
	{"high tier main 10", "profile-id=2;tier-flag=1;level-id=153", H265Profile{2, 1, 153}, false, ErrNoSprop},
}

func TestH265Fmtp(t *testing.T) {
	for _, c := range h265FmtpCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseH265Profile(c.fmtp)
			if err != nil || p != c.profile {
				t.Fatalf("ParseH265Profile = %+v, %v; want %+v", p, err, c.profile)
			}
			s, err := ParseH265Sprop(c.fmtp)
			if c.sprop {
				if err != nil || s.NALUs() == nil {
					t.Fatalf("ParseH265Sprop = %v", err)
				}
				return
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("ParseH265Sprop err = %v, want %v", err, c.err)
			}
		})
	}
	if got := H265Fmtp(H265Profile{1, 0, 93}); got != "level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST" {
		t.Fatalf("H265Fmtp = %q", got)
	}
	if _, err := ParseH265Profile("level-id=300"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("level-id=300: %v", err)
	}
}

func TestCheckH265Transmission(t *testing.T) {
	for fmtp, want := range map[string]error{
		"":                       nil,
		"sprop-max-don-diff=0":   nil,
		"tx-mode=SRST":           nil,
		"sprop-max-don-diff=2":   ErrUnsupportedPayload,
		"tx-mode=MRST":           ErrUnsupportedPayload,
		"sprop-max-don-diff=abc": ErrMalformed,
	} {
		if err := CheckH265Transmission(fmtp); !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("CheckH265Transmission(%q) = %v, want %v", fmtp, err, want)
		}
	}
}

func FuzzParseH265Sprop(f *testing.F) {
	for _, c := range h265FmtpCases {
		f.Add(c.fmtp)
	}
	f.Fuzz(func(t *testing.T, fmtp string) {
		_, _ = ParseH265Profile(fmtp)
		_ = CheckH265Transmission(fmtp)
		s, err := ParseH265Sprop(fmtp)
		if err != nil {
			return
		}
		for i, n := range s.NALUs() {
			if want := uint8(H265VPS + i); H265NALType(n[0]) != want || n[0]&0x80 != 0 {
				t.Fatalf("unit %d is type %d", i, H265NALType(n[0]))
			}
		}
		_, _ = ParseH265SPS(s.SPS, 0)
	})
}
