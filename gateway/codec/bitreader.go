package codec

import (
	"errors"
	"fmt"
)

var errShortRBSP = errors.New("read past the end")

// maxExpGolombZeros is the longest prefix of a 32-bit Exp-Golomb code.
const maxExpGolombZeros = 31

// bitReader reads an RBSP most significant bit first. The first failure
// sticks in err and every later read returns zero, so a parser checks err
// once at the end.
type bitReader struct {
	buf []byte
	pos int // in bits
	err error
}

func (r *bitReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// bit reads u(1).
func (r *bitReader) bit() uint32 {
	if r.err != nil {
		return 0
	}
	if r.pos >= len(r.buf)*8 {
		r.err = errShortRBSP
		return 0
	}
	b := r.buf[r.pos/8] >> (7 - r.pos%8) & 1
	r.pos++
	return uint32(b)
}

// bits reads u(n) for n <= 32.
func (r *bitReader) bits(n int) uint32 {
	var v uint32
	for range n {
		v = v<<1 | r.bit()
	}
	return v
}

// ue reads an unsigned Exp-Golomb code ue(v) (ITU-T H.264 §9.1).
func (r *bitReader) ue() uint32 {
	zeros := 0
	for r.err == nil && r.bit() == 0 {
		zeros++
		if zeros > maxExpGolombZeros {
			r.fail("Exp-Golomb prefix longer than %d bits", maxExpGolombZeros)
		}
	}
	if r.err != nil {
		return 0
	}
	return uint32((uint64(1)<<zeros)-1) + r.bits(zeros)
}

// se reads a signed Exp-Golomb code se(v) (§9.1.1).
func (r *bitReader) se() int32 {
	k := int64(r.ue())
	if k%2 == 1 {
		return int32((k + 1) / 2)
	}
	return int32(-k / 2)
}
