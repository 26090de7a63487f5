package udpbatch

import (
	"net/netip"
	"strconv"
	"testing"

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
		n, ok := EncodeSockaddr(&sa, netip.MustParseAddrPort(c.dst), c.v6)
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
		if got := DecodeSockaddr(&sa); n != wantLen || got.String() != c.want {
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
		if _, ok := EncodeSockaddr(&sa, dst, v6); !ok {
			if v6 || a.Unmap().Is4() {
				t.Fatalf("%v refused by a v6=%v socket", dst, v6)
			}
			return
		}
		got := DecodeSockaddr(&sa)
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
