package codec

import "testing"

// sliceNAL writes a slice NAL unit of the given header byte whose header
// starts with first_mb_in_slice and slice_type.
func sliceNAL(header byte, firstMB, sliceType uint32) []byte {
	return (&bitWriter{}).ue(firstMB).ue(sliceType).ue(0).nalu(header)
}

type sliceCase struct {
	name   string
	nal    []byte
	want   int
	wantOK bool
}

func sliceCases() []sliceCase {
	return []sliceCase{
		{"P", sliceNAL(0x41, 0, 0), 0, true},
		{"B as 6", sliceNAL(0x01, 0, 6), 1, true},
		{"IDR I as 7", sliceNAL(0x65, 0, 7), 2, true},
		{"SP", sliceNAL(0x41, 120, 3), 3, true},
		{"SI as 9", sliceNAL(0x41, 0, 9), 4, true},
		{"slice_type 10", sliceNAL(0x41, 0, 10), 0, false},
		{"late first_mb escaped", sliceNAL(0x21, 1<<20, 1), 1, true},
		{"first_mb beyond the header bytes", sliceNAL(0x41, 1<<31, 1), 1, true},
		{"prefix of 32 zeros", []byte{0x41, 0, 0, 0, 0, 0xff}, 0, false},
		{"truncated", []byte{0x41, 0x00}, 0, false},
		{"header only", []byte{0x65}, 0, false},
		{"SPS", []byte{0x67, 0x42, 0xc0, 0x1e}, 0, false},
		{"empty", nil, 0, false},
		{"B, one byte of header", []byte{0x01, 0x9f}, 1, true},
		{"P, one byte of header", []byte{0x41, 0xf0}, 0, true},
	}
}

func TestSliceType(t *testing.T) {
	for _, c := range sliceCases() {
		t.Run(c.name, func(t *testing.T) {
			got, ok := SliceType(c.nal)
			if got != c.want || ok != c.wantOK {
				t.Fatalf("SliceType(% x) = %d, %v; want %d, %v", c.nal, got, ok, c.want, c.wantOK)
			}
		})
	}
}

// FuzzSliceType checks that no input panics SliceType or yields a type
// outside 0 to 4.
func FuzzSliceType(f *testing.F) {
	for _, c := range sliceCases() {
		f.Add(c.nal)
	}
	f.Fuzz(func(t *testing.T, nal []byte) {
		if st, ok := SliceType(nal); st < 0 || st > 4 || (!ok && st != 0) {
			t.Fatalf("SliceType(% x) = %d, %v", nal, st, ok)
		}
	})
}
