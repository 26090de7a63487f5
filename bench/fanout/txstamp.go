package main

import (
	"fmt"
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The tee's send times come from the kernel too: the tee runs in this
// process beside the viewers, and a stamp it took itself just before its
// send would count any time its thread then lost the CPU as the server's.
// SO_TIMESTAMPING with SOF_TIMESTAMPING_TX_SCHED has the kernel stamp each
// datagram as it enters the device layer (dev_queue_xmit), inside the send
// call, for loopback and veth alike (both queueless), and queue the stamp on
// the socket's error queue, which the tee reads right after the send
// (Documentation/networking/timestamping.rst).

// txStampFlags asks for a software timestamp at the device layer, reported
// without the packet (OPT_TSONLY).
const txStampFlags = unix.SOF_TIMESTAMPING_TX_SCHED | unix.SOF_TIMESTAMPING_SOFTWARE | unix.SOF_TIMESTAMPING_OPT_TSONLY

// txStamps reads the kernel's send timestamps of one of the tee's sockets.
// Only the tee's forwarding goroutine uses it.
type txStamps struct {
	raw syscall.RawConn
	buf [16]byte
	oob [256]byte
}

// newTxStamps turns on send timestamps on c.
func newTxStamps(c *net.UDPConn) (*txStamps, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("send timestamps: %w", err)
	}
	if err := setSocketInt(raw, unix.SO_TIMESTAMPING, txStampFlags, "SO_TIMESTAMPING"); err != nil {
		return nil, err
	}
	return &txStamps{raw: raw}, nil
}

// last drains the socket's error queue and returns the newest send
// timestamp in it, on monoNow's clock: that of the datagram just sent,
// whose stamp the kernel queued before the send returned.
func (s *txStamps) last() (int64, bool) {
	var wall int64
	var found bool
	_ = s.raw.Control(func(fd uintptr) {
		for {
			_, oobn, _, _, err := unix.Recvmsg(int(fd), s.buf[:], s.oob[:], unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
			if err != nil {
				return
			}
			if ts, ok := kernelTimestamp(s.oob[:oobn]); ok {
				wall, found = ts, true
			}
		}
	})
	if !found {
		return 0, false
	}
	return wallToMono(wall, time.Now()), true
}
