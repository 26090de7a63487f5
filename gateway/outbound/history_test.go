package outbound

import "testing"

func TestHistory(t *testing.T) {
	h := NewHistory(512)
	for _, seq := range []uint16{65535, 0, 100} {
		h.Store(seq, append(h.Buffer(seq), byte(seq)))
	}
	if b := h.Get(0); len(b) != 1 || b[0] != 0 {
		t.Errorf("get(0) = %x", b)
	}
	h.Store(512, append(h.Buffer(512), 9)) // overwrites 0's slot
	if h.Get(0) != nil || h.Get(512)[0] != 9 || h.Get(65535)[0] != 0xff || h.Get(100)[0] != 100 || h.Get(1) != nil || h.Get(511) != nil {
		t.Error("history slots mixed up")
	}
}
