//go:build !linux

package udpbatch

import "syscall"

// readerSys has no state here: without recvmmsg(2) a batch is one
// datagram.
type readerSys struct{}

func (*readerSys) init(*Reader) error { return nil }

// Read reads one datagram, with its source and MSG_TRUNC flag.
func (r *Reader) Read() ([]Datagram, error) {
	d := &r.dgs[0]
	n, _, flags, src, err := r.conn.ReadMsgUDPAddrPort(d.Buf, nil)
	if err != nil {
		return nil, err
	}
	d.N, d.From, d.Trunc = n, src, flags&syscall.MSG_TRUNC != 0
	return r.dgs[:1], nil
}
