package codec

import (
	"bytes"
	"testing"
)

// TestParameterSetMemory: the sets are complete only once each was seen,
// in band or aggregated; a newer one replaces the older; other codecs and
// other NAL units leave nothing.
func TestParameterSetMemory(t *testing.T) {
	m := NewParameterSetMemory("video/H265")
	m.Observe(hIDR)
	m.Observe(hVPS)
	if m.Sets() != nil {
		t.Fatal("sets before SPS and PPS were seen")
	}
	m.Observe(BuildH265AP(hSPS, hPPS))
	if got := m.Sets(); len(got) != 3 || !bytes.Equal(got[0], hVPS) || !bytes.Equal(got[1], hSPS) || !bytes.Equal(got[2], hPPS) {
		t.Fatalf("sets %x", got)
	}
	newer := []byte{0x44, 0x01, 0xc2}
	m.Observe(newer)
	if got := m.Sets(); !bytes.Equal(got[2], newer) {
		t.Fatalf("PPS %x, want the newer one", got[2])
	}

	h264 := NewParameterSetMemory("video/h264")
	h264.Observe(BuildSTAPA([]byte{0x67, 0x42}, []byte{0x68, 0xce}))
	if got := h264.Sets(); len(got) != 2 || got[0][0] != 0x67 || got[1][0] != 0x68 {
		t.Fatalf("H.264 sets %x", got)
	}
	var none *ParameterSetMemory = NewParameterSetMemory("video/VP8")
	none.Observe([]byte{0x40, 0x01})
	if none.Sets() != nil {
		t.Fatal("VP8 has parameter sets")
	}
}
