//go:build !linux

package udpbatch

import "syscall"

// Without sendmmsg(2) a batch is sent one datagram at a time (the readers
// read one at a time there too).

// writerSys has no state here.
type writerSys struct{}

func (*writerSys) init(int) {}

// send sends out one datagram at a time; a refused one is dropped and the
// rest sent.
func (*writerSys) send(sock Socket, out []datagramOut) Result {
	var res Result
	for _, o := range out {
		n, err := sock.WriteToUDPAddrPort(o.p, o.dst)
		if err != nil {
			if res.Err == nil {
				res.Err = err
			}
			continue
		}
		res.Packets++
		res.Bytes += n
	}
	return res
}

// gsoSupported reports false: segmentation offload is Linux's.
func gsoSupported(syscall.RawConn) bool { return false }

// isV6Socket is not needed here: WriteToUDPAddrPort maps the address.
func isV6Socket(syscall.RawConn) bool { return false }
