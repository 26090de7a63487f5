package udpbatch

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"
)

// listen binds a UDP socket on loopback, or skips when the family is not
// available.
func listen(t *testing.T, network, host string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(host), 0)))
	if err != nil {
		t.Skipf("no %s loopback: %v", network, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// fill is a datagram of n bytes that differs per index.
func fill(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*7 + j)
	}
	return b
}

// TestReaderBatch sends datagrams of mixed sizes, some larger than their
// buffer, and checks that one Read (on Linux) takes every one queued, each
// whole with its source, and the oversized ones flagged, never short as if
// whole; on a dual-stack socket an IPv4 source is IPv4-mapped, as Go's
// own reads say.
func TestReaderBatch(t *testing.T) {
	cases := []struct {
		name, network, host, peerNet, peerHost string
		mapped                                 bool
	}{
		{"ipv4", "udp4", "127.0.0.1", "udp4", "127.0.0.1", false},
		{"ipv6", "udp6", "::1", "udp6", "::1", false},
		{"dual stack, IPv4 peer", "udp", "::", "udp4", "127.0.0.1", true},
	}
	const size = 64
	sizes := []int{12, size, size + 1, 1, 2000, size - 1, 0}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := listen(t, c.network, c.host)
			peer := listen(t, c.peerNet, c.peerHost)
			dst := netip.AddrPortFrom(netip.MustParseAddr(c.peerHost), uint16(conn.LocalAddr().(*net.UDPAddr).Port))
			for i, n := range sizes {
				if _, err := peer.WriteToUDPAddrPort(fill(i, n), dst); err != nil {
					t.Fatal(err)
				}
			}
			want := peer.LocalAddr().(*net.UDPAddr).AddrPort()
			if c.mapped {
				want = netip.AddrPortFrom(netip.AddrFrom16(want.Addr().As16()), want.Port())
			}
			bufs := make([][]byte, 16)
			for i := range bufs {
				bufs[i] = make([]byte, size)
			}
			r, err := NewReader(conn, bufs)
			if err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			var got []Datagram
			for reads := 0; len(got) < len(sizes); reads++ {
				dgs, err := r.Read()
				if err != nil {
					t.Fatalf("after %d datagrams: %v", len(got), err)
				}
				if reads == 0 && runtime.GOOS == "linux" && len(dgs) != len(sizes) {
					t.Errorf("first read returned %d of the %d queued datagrams", len(dgs), len(sizes))
				}
				for _, d := range dgs {
					d.Buf = bytes.Clone(d.Buf)
					got = append(got, d)
				}
			}
			for i, d := range got {
				trunc := sizes[i] > size
				if d.Trunc != trunc || d.From != want {
					t.Errorf("datagram %d: truncated %v from %v; want %v from %v", i, d.Trunc, d.From, trunc, want)
				}
				if !trunc && !bytes.Equal(d.Bytes(), fill(i, sizes[i])) {
					t.Errorf("datagram %d: %d bytes, want %d", i, d.N, sizes[i])
				}
			}
		})
	}
}

// TestReaderDeadlineAndClose checks that Read ends as the socket's own
// reads do: at the read deadline, and with net.ErrClosed once closed.
func TestReaderDeadlineAndClose(t *testing.T) {
	conn := listen(t, "udp4", "127.0.0.1")
	r, err := NewReader(conn, [][]byte{make([]byte, 32), make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := r.Read(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := r.Read()
		done <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the read block
	_ = conn.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Read did not return after Close")
	}
}

// TestNewReaderNeedsBuffers refuses a batch without room.
func TestNewReaderNeedsBuffers(t *testing.T) {
	conn := listen(t, "udp4", "127.0.0.1")
	for _, bufs := range [][][]byte{nil, {make([]byte, 8), {}}} {
		if _, err := NewReader(conn, bufs); err == nil {
			t.Errorf("NewReader with %d buffers (one empty or none) succeeded", len(bufs))
		}
	}
}
