package udpbatch

import (
	"net"
	"net/netip"
)

// Datagram is one datagram of a batch.
type Datagram struct {
	// Buf is the caller's buffer the datagram was read into.
	Buf []byte
	// N is how many bytes of Buf it filled.
	N int
	// From is its source, IPv4-mapped on a dual-stack socket as Go's own
	// reads report it.
	From netip.AddrPort
	// Trunc is set when the datagram was larger than Buf and its tail was
	// lost (MSG_TRUNC).
	Trunc bool
}

// Bytes returns the datagram as read.
func (d *Datagram) Bytes() []byte { return d.Buf[:d.N] }

// Reader reads the datagrams queued on one UDP socket, up to one per
// buffer per call, into the caller's buffers. Only one goroutine may use
// it, and the datagrams a Read returns stay valid until the next Read.
// Read deadlines and Close work as for the socket's own reads.
type Reader struct {
	conn *net.UDPConn
	dgs  []Datagram
	sys  readerSys
}

// NewReader returns a reader of c that reads datagram i of a batch into
// bufs[i]; len(bufs) is the batch. Each buffer must be non-empty.
func NewReader(c *net.UDPConn, bufs [][]byte) (*Reader, error) {
	if len(bufs) == 0 {
		return nil, errNoBuffers
	}
	r := &Reader{conn: c, dgs: make([]Datagram, len(bufs))}
	for i, b := range bufs {
		if len(b) == 0 {
			return nil, errNoBuffers
		}
		r.dgs[i].Buf = b
	}
	if err := r.sys.init(r); err != nil {
		return nil, err
	}
	return r, nil
}

// Batch returns how many datagrams one Read returns at most.
func (r *Reader) Batch() int { return len(r.dgs) }
