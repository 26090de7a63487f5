package turn

import (
	"syscall"

	"golang.org/x/sys/unix"
)

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
