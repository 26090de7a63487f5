package turn

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/pion/stun/v4"
)

// chunkConn is a net.Conn whose reads return the stream in pieces of size n.
type chunkConn struct {
	net.Conn
	r io.Reader
	n int
}

func (c *chunkConn) Read(b []byte) (int, error) {
	if len(b) > c.n {
		b = b[:c.n]
	}
	return c.r.Read(b)
}

func (c *chunkConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1} }

func TestFrameConn(t *testing.T) {
	unauth := stunMsg(t, stun.BindingRequest)
	authed := stunMsg(t, stun.NewType(stun.MethodRefresh, stun.ClassRequest), stun.NewShortTermIntegrity("k"))
	channel := []byte{0x40, 0x00, 0x00, 0x03, 'a', 'b', 'c', 0} // padded (RFC 8656 §12.5)
	var in []byte
	for range 4 {
		in = append(append(append(in, unauth...), authed...), channel...)
	}
	// A burst of 2: the third and fourth unauthenticated requests are dropped.
	var want []byte
	for i := range 4 {
		if i < 2 {
			want = append(want, unauth...)
		}
		want = append(append(want, authed...), channel...)
	}
	for _, chunk := range []int{1, 3, 7, 4096} {
		m := NewMetrics(nil)
		lim := newLimiter(0.001, 2, time.Now)
		fc := &frameConn{Conn: &chunkConn{r: bytes.NewReader(in), n: chunk}, l: &frameListener{lim: lim, m: m, transport: "tcp"}}
		got, err := io.ReadAll(fc)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("chunks of %d: read %d bytes (%v), want %d", chunk, len(got), err, len(want))
		}
	}
}

func TestFrameConnPassthrough(t *testing.T) {
	garbage := append(stunMsg(t, stun.BindingRequest), 0xFF, 0xFE, 0, 1, 2, 3)
	fc := &frameConn{Conn: &chunkConn{r: bytes.NewReader(garbage), n: 5},
		l: &frameListener{lim: newLimiter(1, 1, time.Now), m: NewMetrics(nil), transport: "tcp"}}
	got, err := io.ReadAll(fc)
	if err != nil || !bytes.Equal(got, garbage) {
		t.Errorf("read % x, %v; want the input unchanged", got, err)
	}
}

func TestFrameSize(t *testing.T) {
	cases := []struct {
		b    []byte
		size int
		ok   bool
	}{
		{[]byte{0, 1, 0}, 0, false},
		{[]byte{0, 1, 0, 4, 0x21, 0x12, 0xA4, 0x42}, 24, false},
		{[]byte{0x40, 0x01, 0x00, 0x01, 9, 0, 0, 0}, 8, true},
		{[]byte{0x40, 0x01, 0x00, 0x05, 9}, 12, false},
		{[]byte{0, 1, 0, 0, 1, 2, 3, 4}, -1, false},
		{[]byte{0xC0, 0, 0, 0}, -1, false},
	}
	for _, c := range cases {
		if size, ok := frameSize(c.b); size != c.size || ok != c.ok {
			t.Errorf("frameSize(% x) = %d, %v; want %d, %v", c.b, size, ok, c.size, c.ok)
		}
	}
}
