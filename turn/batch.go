package turn

import (
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"

	"mediagate.dev/mediagate/internal/udpbatch"
)

// Batched datagram I/O. When a socket's goroutine wakes up, several
// datagrams are often queued: the reader takes them all with one
// recvmmsg(2) (internal/udpbatch), and the channel fast path sends what it relays with one
// sendmmsg(2) (segmenting runs, see send_linux.go), each call saving a
// system call and a trip through Go's poller per datagram. Where those calls do not exist (batch_other.go) a
// batch holds one datagram and the same code runs unchanged.

// Datagrams per read: a listening socket carries every UDP client's
// traffic, a relay socket one allocation's.
const (
	listenBatch = 32
	relayBatch  = 8
)

// Room around a payload in a read buffer, so that the fast path frames a
// peer's datagram as ChannelData in place: a header before it (RFC 8656
// §12.4) and up to three bytes of padding after it (§12.5).
const (
	headroom = 4
	tailroom = 3
)

// udpSocket is a UDP socket with its raw connection, which batched I/O
// goes through, looked up once.
type udpSocket struct {
	*net.UDPConn
	raw syscall.RawConn
	v6  bool         // an AF_INET6 socket: IPv4 peers have IPv4-mapped addresses
	gso *atomic.Bool // runs may go segmented (send_linux.go)
}

// newUDPSocket wraps c.
func newUDPSocket(c *net.UDPConn) (udpSocket, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return udpSocket{}, err
	}
	gso := new(atomic.Bool)
	gso.Store(gsoSupported(raw))
	return udpSocket{UDPConn: c, raw: raw, v6: isV6Socket(raw), gso: gso}, nil
}

// datagram is one datagram of a batch.
type datagram struct {
	buf   []byte // headroom, then the payload, then tailroom
	n     int    // payload bytes
	src   netip.AddrPort
	trunc bool // MSG_TRUNC: larger than the buffer, so its tail was lost
}

// payload returns the datagram's bytes.
func (d *datagram) payload() []byte { return d.buf[headroom : headroom+d.n] }

// batchReader reads the datagrams queued on one socket, up to a batch at a
// time, into buffers of its own with room around each payload
// (internal/udpbatch). Only one goroutine uses it; the datagrams it
// returns stay valid until its next read.
type batchReader struct {
	in  *udpbatch.Reader
	dgs []datagram
}

// newBatchReader returns a reader of up to count datagrams of up to size
// bytes per call on s.
func newBatchReader(s udpSocket, count, size int) (*batchReader, error) {
	r := &batchReader{dgs: make([]datagram, count)}
	bufs := make([][]byte, count)
	for i := range r.dgs {
		r.dgs[i].buf = make([]byte, headroom+size+tailroom)
		bufs[i] = r.dgs[i].buf[headroom : headroom+size]
	}
	in, err := udpbatch.NewReader(s.UDPConn, bufs)
	if err != nil {
		return nil, err
	}
	r.in = in
	return r, nil
}

// read blocks until at least one datagram is queued and returns the ones
// it read, each with its source and MSG_TRUNC flag.
func (r *batchReader) read() ([]datagram, error) {
	got, err := r.in.Read()
	if err != nil {
		return nil, err
	}
	for i := range got {
		d, g := &r.dgs[i], &got[i]
		d.n, d.src, d.trunc = g.N, g.From, g.Trunc
	}
	return r.dgs[:len(got)], nil
}

// outgoing is one datagram a batchWriter has queued.
type outgoing struct {
	p   []byte
	dst netip.AddrPort
}

// batchWriter queues datagrams and sends them out of one socket in one
// go. Only one goroutine uses it.
type batchWriter struct {
	out []outgoing
	sys writerSys
}

// newBatchWriter returns a writer of up to count datagrams per flush.
func newBatchWriter(count int) *batchWriter {
	w := &batchWriter{out: make([]outgoing, 0, count)}
	w.sys.init(count)
	return w
}

// add queues p for dst and reports whether the batch is now full. p must
// stay unchanged until the next flush.
func (w *batchWriter) add(p []byte, dst netip.AddrPort) bool {
	w.out = append(w.out, outgoing{p, dst})
	return len(w.out) == cap(w.out)
}

// sendResult is what a flush did.
type sendResult struct {
	packets, bytes int   // sent
	failed         int   // not sent: refused by the kernel, or the socket failed
	err            error // the first refusal, or what stopped the flush
}

// flush sends the queued datagrams out of s and empties the queue.
func (w *batchWriter) flush(s udpSocket) sendResult {
	if len(w.out) == 0 {
		return sendResult{}
	}
	res := w.sys.send(s, w.out)
	res.failed = len(w.out) - res.packets
	clear(w.out)
	w.out = w.out[:0]
	return res
}
