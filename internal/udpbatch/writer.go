package udpbatch

import (
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
)

// Socket is a UDP socket with its raw connection, which batched writes go
// through, looked up once.
type Socket struct {
	*net.UDPConn
	raw syscall.RawConn
	v6  bool         // an AF_INET6 socket: IPv4 peers have IPv4-mapped addresses
	gso *atomic.Bool // runs may go segmented (writer_linux.go)
}

// NewSocket wraps c.
func NewSocket(c *net.UDPConn) (Socket, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return Socket{}, err
	}
	gso := new(atomic.Bool)
	gso.Store(gsoSupported(raw))
	return Socket{UDPConn: c, raw: raw, v6: isV6Socket(raw), gso: gso}, nil
}

// GSO reports whether the socket's runs still go segmented: the kernel
// offers UDP_SEGMENT and its route has not refused one.
func (s Socket) GSO() bool { return s.gso != nil && s.gso.Load() }

// datagramOut is one datagram a Writer has queued.
type datagramOut struct {
	p   []byte
	dst netip.AddrPort
}

// Writer queues datagrams and sends them out of one socket in one go:
// sendmmsg(2) on Linux, where a run of datagrams to one destination, all of
// one size but the last, goes as one segmented message (UDP GSO). Only one
// goroutine uses it.
type Writer struct {
	out []datagramOut
	sys writerSys
}

// NewWriter returns a writer of up to count datagrams per flush.
func NewWriter(count int) *Writer {
	w := &Writer{out: make([]datagramOut, 0, count)}
	w.sys.init(count)
	return w
}

// Add queues p for dst and reports whether the batch is now full. p must
// stay unchanged until the next Flush.
func (w *Writer) Add(p []byte, dst netip.AddrPort) bool {
	w.out = append(w.out, datagramOut{p, dst})
	return len(w.out) == cap(w.out)
}

// Len is the datagrams queued.
func (w *Writer) Len() int { return len(w.out) }

// Result is what a flush did.
type Result struct {
	Packets, Bytes int   // sent
	Failed         int   // not sent: refused by the kernel, or the socket failed
	Err            error // the first refusal, or what stopped the flush
}

// Flush sends the queued datagrams out of s and empties the queue.
func (w *Writer) Flush(s Socket) Result {
	if len(w.out) == 0 {
		return Result{}
	}
	res := w.sys.send(s, w.out)
	res.Failed = len(w.out) - res.Packets
	clear(w.out)
	w.out = w.out[:0]
	return res
}
