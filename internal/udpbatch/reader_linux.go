package udpbatch

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Mmsghdr is struct mmsghdr of recvmmsg(2) and sendmmsg(2): a message
// header and the byte count the kernel fills in.
type Mmsghdr struct {
	Hdr unix.Msghdr
	N   uint32
}

// readerSys is the recvmmsg(2) state of a Reader: one header, iovec and
// address buffer per datagram, pointing at the reader's buffers.
type readerSys struct {
	raw   syscall.RawConn
	hdrs  []Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // large enough for either family
	fn    func(fd uintptr) bool   // s.recv, bound once
	got   int
	errno syscall.Errno
}

func (s *readerSys) init(r *Reader) error {
	raw, err := r.conn.SyscallConn()
	if err != nil {
		return err
	}
	n := len(r.dgs)
	s.raw = raw
	s.hdrs, s.iovs, s.names = make([]Mmsghdr, n), make([]unix.Iovec, n), make([]unix.RawSockaddrInet6, n)
	for i := range s.hdrs {
		s.iovs[i].Base = &r.dgs[i].Buf[0]
		s.iovs[i].SetLen(len(r.dgs[i].Buf))
		h := &s.hdrs[i].Hdr
		h.Name = (*byte)(unsafe.Pointer(&s.names[i]))
		h.Iov = &s.iovs[i]
		h.SetIovlen(1)
	}
	s.fn = s.recv
	return nil
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

// Read blocks until at least one datagram is queued and returns the ones
// it read, each with its source and MSG_TRUNC flag (recvmmsg(2)).
func (r *Reader) Read() ([]Datagram, error) {
	s := &r.sys
	for i := range s.hdrs {
		s.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet6
		s.hdrs[i].Hdr.Flags = 0
	}
	if err := s.raw.Read(s.fn); err != nil {
		return nil, err
	}
	if s.errno != 0 {
		return nil, os.NewSyscallError("recvmmsg", s.errno)
	}
	for i := range s.got {
		d, h := &r.dgs[i], &s.hdrs[i]
		d.N = min(int(h.N), len(d.Buf))
		d.Trunc = h.Hdr.Flags&unix.MSG_TRUNC != 0
		d.From = DecodeSockaddr(&s.names[i])
	}
	return r.dgs[:s.got], nil
}
