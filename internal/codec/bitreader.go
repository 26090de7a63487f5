package codec

import "fmt"

// maxExpGolombZeros is the longest prefix of an Exp-Golomb code whose value
// fits in 32 bits (§9.1).
const maxExpGolombZeros = 31

// BitReader reads the syntax elements of a raw byte sequence payload (RBSP,
// emulation prevention bytes already removed) most significant bit first,
// with the descriptors of ITU-T H.264 §7.2: u(n), ue(v) and se(v). The first
// failure sticks in Err and every later read returns zero, so a parser
// checks Err once at the end.
type BitReader struct {
	buf []byte
	pos int // in bits
	err error
}

// NewBitReader returns a BitReader at the first bit of rbsp.
func NewBitReader(rbsp []byte) *BitReader {
	return &BitReader{buf: rbsp}
}

// Err returns the first failure of a read, wrapping ErrMalformed, or nil.
func (r *BitReader) Err() error {
	return r.err
}

func (r *BitReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
}

// U reads u(n), an unsigned integer of n bits (0 <= n <= 32). A read past
// the end of the RBSP returns zero and fails the reader.
func (r *BitReader) U(n int) uint32 {
	switch {
	case r.err != nil:
		return 0
	case n < 0 || n > 32:
		r.fail("read of %d bits", n)
		return 0
	case r.pos+n > 8*len(r.buf):
		r.fail("bitstream ends early")
		return 0
	}
	var v uint32
	for range n {
		v = v<<1 | uint32(r.buf[r.pos/8]>>(7-r.pos%8))&1
		r.pos++
	}
	return v
}

// UE reads ue(v), an unsigned Exp-Golomb code (§9.1), refusing a prefix of
// more than 31 zero bits: no 32-bit syntax element needs one.
func (r *BitReader) UE() uint32 {
	zeros := 0
	for r.U(1) == 0 {
		if r.err != nil {
			return 0
		}
		if zeros++; zeros > maxExpGolombZeros {
			r.fail("Exp-Golomb prefix longer than %d bits", maxExpGolombZeros)
			return 0
		}
	}
	v := uint32(uint64(1)<<zeros-1) + r.U(zeros)
	if r.err != nil {
		return 0
	}
	return v
}

// SE reads se(v), a signed Exp-Golomb code mapped per §9.1.1 (Table 9-3):
// codeNum k stands for (-1)^(k+1) * Ceil(k/2).
func (r *BitReader) SE() int32 {
	k := int64(r.UE())
	if k%2 == 1 {
		return int32((k + 1) / 2)
	}
	return int32(-k / 2)
}

// unescapeRBSP returns the RBSP of a NAL unit's payload: a copy without the
// emulation_prevention_three_byte that follows every two zero bytes
// (00 00 03 becomes 00 00, §7.4.1).
func unescapeRBSP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c == 0x03 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}
