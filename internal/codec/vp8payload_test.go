package codec

import (
	"errors"
	"testing"
)

var vp8DescriptorCases = []struct {
	name string
	p    []byte
	want VP8Descriptor
	bad  bool
}{
	{"no extension, frame start", []byte{0x10, 0x90}, VP8Descriptor{Len: 1, Start: true}, false},
	{"continuation", []byte{0x00, 0x91}, VP8Descriptor{Len: 1}, false},
	{"partition 2 start", []byte{0x12, 0x00}, VP8Descriptor{Len: 1, Start: true, PartitionIndex: 2}, false},
	{"7-bit picture id", []byte{0x90, 0x80, 0x12, 0x50}, VP8Descriptor{Len: 3, Start: true}, false},
	{"15-bit picture id", []byte{0x90, 0x80, 0x81, 0x23, 0x50}, VP8Descriptor{Len: 4, Start: true}, false},
	{"every field", []byte{0x90, 0xf0, 0x81, 0x23, 0x05, 0x20, 0x50}, VP8Descriptor{Len: 6, Start: true}, false},
	{"picture id missing", []byte{0x90, 0x80}, VP8Descriptor{}, true},
	{"extension missing", []byte{0x90}, VP8Descriptor{}, true},
	{"descriptor only", []byte{0x10}, VP8Descriptor{}, true},
	{"empty", nil, VP8Descriptor{}, true},
}

func TestParseVP8Descriptor(t *testing.T) {
	for _, c := range vp8DescriptorCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseVP8Descriptor(c.p)
			if c.bad {
				if !errors.Is(err, ErrMalformedPayload) {
					t.Fatalf("err = %v, want ErrMalformedPayload", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseVP8Descriptor = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func TestVP8FrameStart(t *testing.T) {
	for _, c := range vp8DescriptorCases[:3] {
		d, _ := ParseVP8Descriptor(c.p)
		if want := c.name == "no extension, frame start"; d.FrameStart() != want {
			t.Errorf("%s: FrameStart %v, want %v", c.name, d.FrameStart(), want)
		}
	}
}

func FuzzParseVP8Descriptor(f *testing.F) {
	for _, c := range vp8DescriptorCases {
		f.Add(c.p)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		d, err := ParseVP8Descriptor(p)
		if err == nil && (d.Len < 1 || d.Len > 6 || d.Len >= len(p) || d.PartitionIndex > 7) {
			t.Fatalf("ParseVP8Descriptor(% x) = %+v", p, d)
		}
	})
}
