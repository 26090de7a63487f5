package codec

import (
	"errors"
	"testing"
)

func TestBitReader(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		read func(r *BitReader) int64
		want int64
		bad  bool
	}{
		{"u(3)", []byte{0b1010_0000}, func(r *BitReader) int64 { return int64(r.U(3)) }, 5, false},
		{"u(32)", []byte{0xde, 0xad, 0xbe, 0xef}, func(r *BitReader) int64 { return int64(r.U(32)) }, 0xdeadbeef, false},
		{"u(33)", []byte{0, 0, 0, 0, 0}, func(r *BitReader) int64 { return int64(r.U(33)) }, 0, true},
		{"u past the end", []byte{0xff}, func(r *BitReader) int64 { return int64(r.U(9)) }, 0, true},
		{"ue 0", []byte{0x80}, func(r *BitReader) int64 { return int64(r.UE()) }, 0, false},
		{"ue 7", []byte{0b0001_0000}, func(r *BitReader) int64 { return int64(r.UE()) }, 7, false},
		{"ue largest", (&bitWriter{}).ue(1<<32 - 2).buf, func(r *BitReader) int64 { return int64(r.UE()) }, 1<<32 - 2, false},
		{"ue 32 zeros", []byte{0, 0, 0, 0, 0xff}, func(r *BitReader) int64 { return int64(r.UE()) }, 0, true},
		{"ue truncated", []byte{0, 0x01}, func(r *BitReader) int64 { return int64(r.UE()) }, 0, true},
		{"ue empty", nil, func(r *BitReader) int64 { return int64(r.UE()) }, 0, true},
		{"se +3", (&bitWriter{}).se(3).buf, func(r *BitReader) int64 { return int64(r.SE()) }, 3, false},
		{"se -4", (&bitWriter{}).se(-4).buf, func(r *BitReader) int64 { return int64(r.SE()) }, -4, false},
		{"se most negative", (&bitWriter{}).ue(1<<32 - 2).buf, func(r *BitReader) int64 { return int64(r.SE()) }, -(1<<31 - 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewBitReader(c.in)
			got := c.read(r)
			if c.bad {
				if !errors.Is(r.Err(), ErrMalformed) || got != 0 {
					t.Fatalf("got %d, err %v; want 0 and ErrMalformed", got, r.Err())
				}
				return
			}
			if r.Err() != nil || got != c.want {
				t.Fatalf("got %d, err %v; want %d", got, r.Err(), c.want)
			}
		})
	}
}

func TestBitReaderSticksAtFirstFailure(t *testing.T) {
	r := NewBitReader([]byte{0xff})
	r.U(9)
	first := r.Err()
	if r.U(1) != 0 || r.UE() != 0 || r.SE() != 0 || r.Err() != first {
		t.Fatalf("reads after a failure: err %v, first %v", r.Err(), first)
	}
}

func TestUnescapeRBSP(t *testing.T) {
	got := unescapeRBSP([]byte{0, 0, 3, 1, 0, 0, 3, 0, 0, 3})
	want := []byte{0, 0, 1, 0, 0, 0, 0}
	if string(got) != string(want) {
		t.Fatalf("unescapeRBSP = % x, want % x", got, want)
	}
}
