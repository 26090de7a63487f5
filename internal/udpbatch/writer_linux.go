package udpbatch

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Sending a batch: sendmmsg(2), one message per datagram, except that a
// run of datagrams to the same destination, all of one size but the last,
// which may be shorter, goes as one message with generic segmentation
// offload (UDP_SEGMENT, udp(7)): the kernel walks its stack once for the
// run and cuts it into the datagrams at the device, or at the receiving
// socket on loopback. A video frame's packets toward one viewer are such
// a run. Where the kernel refuses a segmented message, its datagrams and
// those after it are sent one by one, and a socket whose route cannot
// offload (EIO) stops segmenting.

// Limits of one segmented message: the kernel's UDP_MAX_SEGMENTS on older
// kernels, and what fits in one IP datagram with room for the headers.
const (
	gsoMaxSegments = 64
	gsoMaxBytes    = 65000
)

// gsoCmsg is the control message that asks for segmentation: a cmsghdr
// and the segment size, padded to CMSG_SPACE(2).
type gsoCmsg struct {
	hdr  unix.Cmsghdr
	size uint16
	_    [6]byte
}

// writerSys is the sendmmsg(2) state of a batchWriter.
type writerSys struct {
	hdrs   []Mmsghdr
	iovs   []unix.Iovec // one per datagram; a message takes consecutive ones
	names  []unix.RawSockaddrInet6
	ctrls  []gsoCmsg
	msgs   [][]datagramOut // the datagrams of each message
	again  []datagramOut   // from a refused segmented message on, to send unsegmented
	fn     func(fd uintptr) bool
	count  int // messages prepared
	next   int // the next message to send
	niov   int // iovecs used
	gsoErr syscall.Errno
	res    Result
}

func (s *writerSys) init(count int) {
	s.hdrs, s.iovs, s.names = make([]Mmsghdr, count), make([]unix.Iovec, count), make([]unix.RawSockaddrInet6, count)
	s.ctrls, s.msgs = make([]gsoCmsg, count), make([][]datagramOut, count)
	s.again = make([]datagramOut, 0, count)
	s.fn = s.sendmmsg
}

// send sends out with as few system calls as the kernel allows.
func (s *writerSys) send(sock Socket, out []datagramOut) Result {
	s.res, s.gsoErr = Result{}, 0
	s.pass(sock, out, sock.gso != nil && sock.gso.Load())
	if len(s.again) > 0 {
		if s.gsoErr == unix.EIO {
			sock.gso.Store(false)
		}
		s.pass(sock, s.again, false)
		clear(s.again)
		s.again = s.again[:0]
	}
	return s.res
}

// pass prepares one message per datagram, or per run when segmenting,
// and sends them.
func (s *writerSys) pass(sock Socket, out []datagramOut, gso bool) {
	s.count, s.next, s.niov = 0, 0, 0
	for i := 0; i < len(out); {
		n := 1
		if gso {
			n = gsoRun(out[i:])
		}
		s.prepare(sock, out[i:i+n])
		i += n
	}
	if s.count > 0 {
		if err := sock.raw.Write(s.fn); err != nil && s.res.Err == nil {
			s.res.Err = err
		}
	}
	clear(s.iovs[:s.niov]) // hold no buffer past the flush
	clear(s.msgs[:s.count])
}

// gsoRun returns how many datagrams from the start of out can go as one
// segmented message.
func gsoRun(out []datagramOut) int {
	size, total := len(out[0].p), len(out[0].p)
	n := 1
	for n < len(out) && n < gsoMaxSegments && size > 0 {
		o := out[n]
		if o.dst != out[0].dst || len(o.p) > size || len(out[n-1].p) != size || total+len(o.p) > gsoMaxBytes {
			break
		}
		total += len(o.p)
		n++
	}
	return n
}

// prepare fills in the next message for dgs, all to dgs[0].dst.
func (s *writerSys) prepare(sock Socket, dgs []datagramOut) {
	m := s.count
	namelen, ok := EncodeSockaddr(&s.names[m], dgs[0].dst, sock.v6)
	if !ok {
		s.refused(syscall.EAFNOSUPPORT)
		return
	}
	iov := s.iovs[s.niov : s.niov+len(dgs)]
	for i, o := range dgs {
		iov[i].Base = unsafe.SliceData(o.p)
		iov[i].SetLen(len(o.p))
	}
	h := &s.hdrs[m].Hdr
	h.Name, h.Namelen = (*byte)(unsafe.Pointer(&s.names[m])), namelen
	h.Iov = &iov[0]
	h.SetIovlen(len(dgs))
	h.Control, h.Controllen = nil, 0
	if len(dgs) > 1 {
		c := &s.ctrls[m]
		c.hdr.Level, c.hdr.Type = unix.SOL_UDP, unix.UDP_SEGMENT
		c.hdr.SetLen(unix.CmsgLen(2))
		c.size = uint16(len(dgs[0].p))
		h.Control = (*byte)(unsafe.Pointer(c))
		h.SetControllen(unix.CmsgSpace(2))
	}
	s.msgs[m] = dgs
	s.count++
	s.niov += len(dgs)
}

// sendmmsg is the raw write: sendmmsg(2) with MSG_DONTWAIT never sleeps,
// so it goes through RawSyscall6, without the runtime's system call
// bookkeeping, which would wake its monitor thread at every burst; false
// (EAGAIN) has Go's poller wait until the socket is writable. A message
// the kernel refuses (reported by the call that starts with it) is
// dropped; if it is a segmented one, it and those after it go again, in
// order, one datagram at a time.
func (s *writerSys) sendmmsg(fd uintptr) bool {
	for s.next < s.count {
		n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&s.hdrs[s.next])),
			uintptr(s.count-s.next), unix.MSG_DONTWAIT, 0, 0)
		switch {
		case e == unix.EINTR:
			continue
		case e == unix.EAGAIN:
			return false
		case e != 0 && len(s.msgs[s.next]) > 1:
			for _, m := range s.msgs[s.next:s.count] {
				s.again = append(s.again, m...)
			}
			s.gsoErr = e
			return true
		case e != 0:
			s.refused(e)
			s.next++
			continue
		case n == 0:
			return true
		}
		for i := s.next; i < s.next+int(n); i++ {
			s.res.Packets += len(s.msgs[i])
			s.res.Bytes += int(s.hdrs[i].N)
		}
		s.next += int(n)
	}
	return true
}

// refused records the first datagram the kernel or the address family
// refused.
func (s *writerSys) refused(e syscall.Errno) {
	if s.res.Err == nil {
		s.res.Err = os.NewSyscallError("sendmmsg", e)
	}
}

// gsoSupported reports whether the kernel offers UDP_SEGMENT on the
// socket (Linux 4.18 and later): older kernels would ignore the control
// message and send a run as one large datagram, so they must not get one.
func gsoSupported(raw syscall.RawConn) bool {
	var err error = syscall.EINVAL
	_ = raw.Control(func(fd uintptr) {
		_, err = unix.GetsockoptInt(int(fd), unix.IPPROTO_UDP, unix.UDP_SEGMENT)
	})
	return err == nil
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
