//go:build !linux

package turn

import "syscall"

// Without recvmmsg(2) and sendmmsg(2) a batch is one datagram: the
// readers and writers work the same, one system call per datagram.

// readerSys has no state here.
type readerSys struct{}

func (*readerSys) init(*batchReader) {}

// read reads one datagram, with its source and MSG_TRUNC flag.
func (r *batchReader) read() ([]datagram, error) {
	d := &r.dgs[0]
	n, _, flags, src, err := r.sock.ReadMsgUDPAddrPort(d.buf[headroom:headroom+r.size], nil)
	if err != nil {
		return nil, err
	}
	d.n, d.src, d.trunc = n, src, flags&syscall.MSG_TRUNC != 0
	return r.dgs[:1], nil
}

// writerSys has no state here.
type writerSys struct{}

func (*writerSys) init(int) {}

// send sends out one datagram at a time; a refused one is dropped and the
// rest sent.
func (*writerSys) send(sock udpSocket, out []outgoing) sendResult {
	var res sendResult
	for _, o := range out {
		n, err := sock.WriteToUDPAddrPort(o.p, o.dst)
		if err != nil {
			if res.err == nil {
				res.err = err
			}
			continue
		}
		res.packets++
		res.bytes += n
	}
	return res
}

// gsoSupported reports false: segmentation offload is Linux's.
func gsoSupported(syscall.RawConn) bool { return false }

// isV6Socket is not needed here: WriteToUDPAddrPort maps the address.
func isV6Socket(syscall.RawConn) bool { return false }
