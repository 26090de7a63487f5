package codec

// bitWriter builds synthetic RBSPs for the cases encoders rarely emit.
type bitWriter struct {
	buf  []byte
	nbit int
}

func (w *bitWriter) u(n int, v uint32) *bitWriter {
	for i := n - 1; i >= 0; i-- {
		if w.nbit%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		if v>>i&1 == 1 {
			w.buf[len(w.buf)-1] |= 0x80 >> (w.nbit % 8)
		}
		w.nbit++
	}
	return w
}

func (w *bitWriter) ue(v uint32) *bitWriter {
	x := uint64(v) + 1
	n := 0
	for x>>n > 1 {
		n++
	}
	w.u(n, 0)
	return w.u(n+1, uint32(x))
}

func (w *bitWriter) se(v int32) *bitWriter {
	if v > 0 {
		return w.ue(uint32(2*v - 1))
	}
	return w.ue(uint32(-2 * v))
}

// nalu returns the NAL unit of the given header byte with a trailing stop
// bit, escaped so that no start code appears in it (§7.4.1).
func (w *bitWriter) nalu(header byte) []byte {
	w.u(1, 1)
	out := []byte{header}
	zeros := 0
	for _, c := range w.buf {
		if zeros >= 2 && c <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}
