package turn

import (
	"net"
	"net/netip"

	"mediagate.dev/mediagate/internal/udpbatch"
)

// Batched datagram I/O (internal/udpbatch). When a socket's goroutine
// wakes up, several datagrams are often queued: the reader takes them all
// with one recvmmsg(2), and the channel fast path sends what it relays
// with one sendmmsg(2), runs segmented, each call saving a system call and
// a trip through Go's poller per datagram. Where those calls do not exist
// a batch holds one datagram and the same code runs unchanged.

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

// udpSocket is a UDP socket set up for batched writes (internal/udpbatch).
type udpSocket = udpbatch.Socket

// newUDPSocket wraps c.
func newUDPSocket(c *net.UDPConn) (udpSocket, error) { return udpbatch.NewSocket(c) }

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
