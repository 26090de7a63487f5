//go:build !linux

package turn

import "syscall"

// Without sendmmsg(2) a batch is sent one datagram at a time (the readers
// are internal/udpbatch's, which read one at a time there too).

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
