package turn

import (
	"testing"

	"github.com/pion/stun/v4"
)

// stunMsg builds a STUN message for the tables below.
func stunMsg(t testing.TB, typ stun.MessageType, setters ...stun.Setter) []byte {
	t.Helper()
	m, err := stun.Build(append([]stun.Setter{stun.TransactionID, typ}, setters...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m.Raw
}

// classifyCases are the inputs of TestUnauthenticated, also FuzzUnauthenticated's seeds.
func classifyCases(t testing.TB) []struct {
	name string
	b    []byte
	want bool
} {
	integrity := stun.NewShortTermIntegrity("pw")
	truncated := stunMsg(t, stun.BindingRequest, stun.NewUsername("someone"))
	return []struct {
		name string
		b    []byte
		want bool
	}{
		{"binding request", stunMsg(t, stun.BindingRequest), true},
		{"allocate without credentials", stunMsg(t, stun.NewType(stun.MethodAllocate, stun.ClassRequest), stun.NewUsername("u")), true},
		{"allocate with integrity", stunMsg(t, stun.NewType(stun.MethodAllocate, stun.ClassRequest), stun.NewUsername("u"), integrity), false},
		{"allocate with integrity and fingerprint", stunMsg(t, stun.NewType(stun.MethodAllocate, stun.ClassRequest), integrity, stun.Fingerprint), false},
		{"success response", stunMsg(t, stun.BindingSuccess), false},
		{"error response", stunMsg(t, stun.NewType(stun.MethodAllocate, stun.ClassErrorResponse)), false},
		{"send indication", stunMsg(t, stun.NewType(stun.MethodSend, stun.ClassIndication)), false},
		{"channel data", []byte{0x40, 0x01, 0x00, 0x04, 1, 2, 3, 4}, false},
		{"short", []byte{0, 1, 0, 0}, false},
		{"no magic cookie", make([]byte, 20), false},
		{"length past the end", truncated[:len(truncated)-4], true},
		{"length not a multiple of 4", append(stunMsg(t, stun.BindingRequest)[:2:2], 0, 3, 0x21, 0x12, 0xA4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3), true},
		{"attribute past the end", append(stunMsg(t, stun.BindingRequest)[:2:2], 0, 4, 0x21, 0x12, 0xA4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 20), true},
	}
}

func TestUnauthenticated(t *testing.T) {
	for _, c := range classifyCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if got := unauthenticated(c.b); got != c.want {
				t.Errorf("unauthenticated = %v, want %v (% x)", got, c.want, c.b)
			}
		})
	}
}

func FuzzUnauthenticated(f *testing.F) {
	for _, c := range classifyCases(f) {
		f.Add(c.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := unauthenticated(b)
		m := &stun.Message{Raw: append([]byte(nil), b...)}
		if len(b) == 0 || b[0]&0xC0 != 0 || m.Decode() != nil || m.Type.Class != stun.ClassRequest ||
			len(b) != int(m.Length)+stunHeaderLen {
			return // pion's server takes a first byte of 01xxxxxx for ChannelData
		}
		// A well-formed request: agree with pion's decoder.
		want := !m.Contains(stun.AttrMessageIntegrity) && !m.Contains(stun.AttrMessageIntegritySHA256)
		if got != want {
			t.Errorf("unauthenticated = %v, pion says %v (% x)", got, want, b)
		}
	})
}

// BenchmarkUnauthenticated is the check every datagram to the listening
// socket pays.
func BenchmarkUnauthenticated(b *testing.B) {
	m := stunMsg(b, stun.NewType(stun.MethodRefresh, stun.ClassRequest), stun.NewUsername("1700000000:label"),
		stun.NewShortTermIntegrity("k"), stun.Fingerprint)
	for b.Loop() {
		if unauthenticated(m) {
			b.Fatal("authenticated request classified as unauthenticated")
		}
	}
}
