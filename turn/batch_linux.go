package turn

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsghdr is struct mmsghdr of recvmmsg(2) and sendmmsg(2): a message
// header and the byte count the kernel fills in.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// readerSys is the recvmmsg(2) state of a batchReader: one header, iovec
// and address buffer per datagram, pointing at the reader's buffers.
type readerSys struct {
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // large enough for either family
	fn    func(fd uintptr) bool   // s.recv, bound once
	got   int
	errno syscall.Errno
}

func (s *readerSys) init(r *batchReader) {
	n := len(r.dgs)
	s.hdrs, s.iovs, s.names = make([]mmsghdr, n), make([]unix.Iovec, n), make([]unix.RawSockaddrInet6, n)
	for i := range s.hdrs {
		s.iovs[i].Base = &r.dgs[i].buf[headroom]
		s.iovs[i].SetLen(r.size)
		h := &s.hdrs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&s.names[i]))
		h.Iov = &s.iovs[i]
		h.SetIovlen(1)
	}
	s.fn = s.recv
}

// recv is the raw read: it takes what is queued, up to the batch, without
// blocking; false (EAGAIN) has Go's poller wait until the socket is
// readable and call it again.
func (s *readerSys) recv(fd uintptr) bool {
	for {
		n, _, e := unix.RawSyscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&s.hdrs[0])),
			uintptr(len(s.hdrs)), unix.MSG_DONTWAIT, 0, 0)
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		s.got, s.errno = int(n), e
		return true
	}
}

// read blocks until at least one datagram is queued and returns the ones
// it read, each with its source and MSG_TRUNC flag (recvmmsg(2)).
func (r *batchReader) read() ([]datagram, error) {
	s := &r.sys
	for i := range s.hdrs {
		s.hdrs[i].hdr.Namelen = unix.SizeofSockaddrInet6
		s.hdrs[i].hdr.Flags = 0
	}
	if err := r.sock.raw.Read(s.fn); err != nil {
		return nil, err
	}
	if s.errno != 0 {
		return nil, os.NewSyscallError("recvmmsg", s.errno)
	}
	for i := range s.got {
		d, h := &r.dgs[i], &s.hdrs[i]
		d.n = min(int(h.n), r.size)
		d.trunc = h.hdr.Flags&unix.MSG_TRUNC != 0
		d.src = decodeSockaddr(&s.names[i])
	}
	return r.dgs[:s.got], nil
}

// isV6Socket reports whether c is an AF_INET6 socket.
func isV6Socket(raw syscall.RawConn) bool {
	var v6 bool
	_ = raw.Control(func(fd uintptr) {
		sa, err := unix.Getsockname(int(fd))
		_, v6 = sa.(*unix.SockaddrInet6)
		v6 = v6 && err == nil
	})
	return v6
}

// decodeSockaddr reads the source address recvmmsg(2) filled in. A scope
// (IPv6 link-local) becomes a numeric zone, which net understands.
func decodeSockaddr(sa *unix.RawSockaddrInet6) netip.AddrPort {
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:])
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), port)
	case unix.AF_INET6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.Scope_id != 0 {
			a = a.WithZone(strconv.FormatUint(uint64(sa.Scope_id), 10))
		}
		return netip.AddrPortFrom(a, port)
	}
	return netip.AddrPort{}
}

// encodeSockaddr writes dst as the destination for a socket of the
// family (IPv4 as IPv4-mapped on an AF_INET6 socket) and returns its
// length, or false when the socket cannot reach it.
func encodeSockaddr(sa *unix.RawSockaddrInet6, dst netip.AddrPort, v6 bool) (uint32, bool) {
	a := dst.Addr()
	if !v6 {
		a = a.Unmap()
		if !a.Is4() {
			return 0, false
		}
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		*sa4 = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.As4()}
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa4.Port))[:], dst.Port())
		return unix.SizeofSockaddrInet4, true
	}
	if !a.IsValid() {
		return 0, false
	}
	*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: a.As16(), Scope_id: zoneIndex(a.Zone())}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], dst.Port())
	return unix.SizeofSockaddrInet6, true
}

// zoneIndex is the interface index of an IPv6 zone, numeric or a name.
func zoneIndex(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if i, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(i)
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	return 0
}
