package turn

import (
	"bytes"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// sockaddrCases are destinations and how each socket family carries them.
var sockaddrCases = []struct {
	dst  string
	v6   bool
	want string // what decoding the encoded address gives; "" = refused
}{
	{"127.0.0.1:3478", false, "127.0.0.1:3478"},
	{"[::ffff:10.0.0.1]:1", false, "10.0.0.1:1"},
	{"[::1]:65535", false, ""},
	{"127.0.0.1:3478", true, "[::ffff:127.0.0.1]:3478"},
	{"[2001:db8::1]:5349", true, "[2001:db8::1]:5349"},
	{"[fe80::1%7]:443", true, "[fe80::1%7]:443"},
}

// TestSockaddr checks that an address written for sendmmsg(2) reads back
// as recvmmsg(2) would report it.
func TestSockaddr(t *testing.T) {
	for _, c := range sockaddrCases {
		var sa unix.RawSockaddrInet6
		n, ok := encodeSockaddr(&sa, netip.MustParseAddrPort(c.dst), c.v6)
		if ok != (c.want != "") {
			t.Errorf("encode %s (v6 socket %v): ok %v", c.dst, c.v6, ok)
			continue
		}
		if !ok {
			continue
		}
		wantLen := uint32(unix.SizeofSockaddrInet4)
		if c.v6 {
			wantLen = unix.SizeofSockaddrInet6
		}
		if got := decodeSockaddr(&sa); n != wantLen || got.String() != c.want {
			t.Errorf("%s (v6 socket %v): %v, length %d; want %s, %d", c.dst, c.v6, got, n, c.want, wantLen)
		}
	}
}

// FuzzSockaddr checks that any address a socket can reach round-trips.
func FuzzSockaddr(f *testing.F) {
	for _, c := range sockaddrCases {
		ap := netip.MustParseAddrPort(c.dst)
		a := ap.Addr().As16()
		f.Add(a[:], ap.Port(), uint32(7), c.v6)
	}
	f.Fuzz(func(t *testing.T, raw []byte, port uint16, scope uint32, v6 bool) {
		a, ok := netip.AddrFromSlice(raw)
		if !ok {
			return
		}
		if a.Is6() && a.IsLinkLocalUnicast() && scope != 0 {
			a = a.WithZone(strconv.FormatUint(uint64(scope), 10))
		}
		dst := netip.AddrPortFrom(a, port)
		var sa unix.RawSockaddrInet6
		if _, ok := encodeSockaddr(&sa, dst, v6); !ok {
			if v6 || a.Unmap().Is4() {
				t.Fatalf("%v refused by a v6=%v socket", dst, v6)
			}
			return
		}
		got := decodeSockaddr(&sa)
		want := dst
		if !v6 {
			want = netip.AddrPortFrom(a.Unmap(), port)
		} else if a.Is4() {
			want = netip.AddrPortFrom(netip.AddrFrom16(a.As16()), port)
		}
		if got != want {
			t.Fatalf("%v became %v, want %v", dst, got, want)
		}
	})
}

// TestGSORun checks which datagrams may go as one segmented message: one
// destination, one size, only the last shorter, within the kernel's
// limits.
func TestGSORun(t *testing.T) {
	a, b := netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("127.0.0.1:2")
	run := func(dst netip.AddrPort, sizes ...int) []outgoing {
		var out []outgoing
		for _, n := range sizes {
			out = append(out, outgoing{make([]byte, n), dst})
		}
		return out
	}
	many := make([]int, gsoMaxSegments+5)
	for i := range many {
		many[i] = 100
	}
	cases := []struct {
		name string
		out  []outgoing
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
			sock := testSocket(t, listenLoopback(t, "udp4", "127.0.0.1"))
			if !sock.gso.Load() {
				t.Skip("the kernel offers no UDP_SEGMENT")
			}
			if refuse {
				_ = sock.raw.Control(func(fd uintptr) { _ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_NO_CHECK, 1) })
			}
			peer := listenLoopback(t, "udp4", "127.0.0.1")
			_ = peer.SetReadBuffer(1 << 20)
			dst := peer.LocalAddr().(*net.UDPAddr).AddrPort()
			sizes := []int{500, 500, 500, 120, 500, 500, 700}
			w := newBatchWriter(len(sizes))
			total := 0
			for i, n := range sizes {
				w.add(pattern(i, n), dst)
				total += n
			}
			res := w.flush(sock)
			if res.packets != len(sizes) || res.bytes != total || res.failed != 0 {
				t.Errorf("flush = %+v, want %d packets, %d bytes", res, len(sizes), total)
			}
			if want := 3; !refuse && w.sys.count != want {
				t.Errorf("sent as %d messages, want %d (runs of 4, 2 and 1)", w.sys.count, want)
			}
			if refuse && (w.sys.gsoErr != unix.EINVAL || !sock.gso.Load()) {
				t.Errorf("refused with %v, segmenting still on: %v; want EINVAL, true", w.sys.gsoErr, sock.gso.Load())
			}
			for i, n := range sizes {
				if got, _ := recvUDP(peer, 2*time.Second); !bytes.Equal(got, pattern(i, n)) {
					t.Fatalf("datagram %d: got %d bytes, want %d", i, len(got), n)
				}
			}
		})
	}
}
