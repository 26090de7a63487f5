package udpbatch

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// TestGSORun checks which datagrams may go as one segmented message: one
// destination, one size, only the last shorter, within the kernel's
// limits.
func TestGSORun(t *testing.T) {
	a, b := netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("127.0.0.1:2")
	run := func(dst netip.AddrPort, sizes ...int) []datagramOut {
		var out []datagramOut
		for _, n := range sizes {
			out = append(out, datagramOut{make([]byte, n), dst})
		}
		return out
	}
	many := make([]int, gsoMaxSegments+5)
	for i := range many {
		many[i] = 100
	}
	cases := []struct {
		name string
		out  []datagramOut
		want int
	}{
		{"one", run(a, 100), 1},
		{"equal", run(a, 100, 100, 100), 3},
		{"last shorter", run(a, 100, 100, 40, 100), 3},
		{"larger stops", run(a, 100, 200), 1},
		{"other destination", append(run(a, 100, 100), run(b, 100)...), 2},
		{"empty first", run(a, 0, 0), 1},
		{"segment cap", run(a, many...), gsoMaxSegments},
		{"byte cap", run(a, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400,
			1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400,
			1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400, 1400), gsoMaxBytes / 1400},
	}
	for _, c := range cases {
		if got := gsoRun(c.out); got != c.want {
			t.Errorf("%s: gsoRun = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestSegmentedSend checks that runs sent segmented arrive as the
// datagrams they were, never as one large datagram, and that when the
// kernel refuses segmentation (SO_NO_CHECK makes it) they go one by one.
func TestSegmentedSend(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		t.Run(map[bool]string{false: "segmented", true: "refused"}[refuse], func(t *testing.T) {
			sock := newTestSocket(t, listen(t, "udp4", "127.0.0.1"))
			if !sock.gso.Load() {
				t.Skip("the kernel offers no UDP_SEGMENT")
			}
			if refuse {
				_ = sock.raw.Control(func(fd uintptr) { _ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_NO_CHECK, 1) })
			}
			peer := listen(t, "udp4", "127.0.0.1")
			_ = peer.SetReadBuffer(1 << 20)
			dst := peer.LocalAddr().(*net.UDPAddr).AddrPort()
			sizes := []int{500, 500, 500, 120, 500, 500, 700}
			w := NewWriter(len(sizes))
			total := 0
			for i, n := range sizes {
				w.Add(fill(i, n), dst)
				total += n
			}
			res := w.Flush(sock)
			if res.Packets != len(sizes) || res.Bytes != total || res.Failed != 0 {
				t.Errorf("flush = %+v, want %d packets, %d bytes", res, len(sizes), total)
			}
			if want := 3; !refuse && w.sys.count != want {
				t.Errorf("sent as %d messages, want %d (runs of 4, 2 and 1)", w.sys.count, want)
			}
			if refuse && (w.sys.gsoErr != unix.EINVAL || !sock.gso.Load()) {
				t.Errorf("refused with %v, segmenting still on: %v; want EINVAL, true", w.sys.gsoErr, sock.gso.Load())
			}
			for i, n := range sizes {
				if got := recvUDP(t, peer); !bytes.Equal(got, fill(i, n)) {
					t.Fatalf("datagram %d: got %d bytes, want %d", i, len(got), n)
				}
			}
		})
	}
}
