package output

import (
	"net"
	"net/netip"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/internal/ratelog"
)

// link is the sending half of the Output's socket: it seals RTP and RTCP
// (SRTP and SRTCP when keyed, RFC 3711) and writes them to the receiver.
// The send loop owns it: a pion/srtp Context is not safe for concurrent
// use.
type link struct {
	conn   *net.UDPConn
	remote netip.AddrPort
	srtp   *srtp.Context // nil: plain RTP
	plain  []byte        // scratch for a packet before encryption
	rtcp   []byte        // scratch for an SRTCP packet
	met    *outputMetrics
	errs   *ratelog.Logger
}

// sealRTP marshals h and payload into dst (reused when large enough) and
// encrypts them when the link is keyed; it returns the datagram.
func (l *link) sealRTP(dst []byte, h *rtp.Header, payload []byte) ([]byte, bool) {
	n := h.MarshalSize() + len(payload)
	buf := dst
	if l.srtp != nil {
		buf = l.plain
	}
	buf = grow(buf, n)
	if _, err := h.MarshalTo(buf); err != nil {
		l.fail(dropSRTP, "marshal rtp", err)
		return dst, false
	}
	copy(buf[n-len(payload):], payload)
	if l.srtp == nil {
		return buf, true
	}
	l.plain = buf
	out, err := l.srtp.EncryptRTP(dst, buf, h)
	if err != nil {
		l.fail(dropSRTP, "encrypt rtp", err)
		return dst, false
	}
	return out, true
}

// write sends one datagram to the receiver.
func (l *link) write(b []byte) bool {
	if _, err := l.conn.WriteToUDPAddrPort(b, l.remote); err != nil {
		l.fail(dropWrite, "write to receiver", err)
		return false
	}
	return true
}

// writeRTCP sends one compound RTCP packet, as SRTCP when keyed.
func (l *link) writeRTCP(pkts []rtcp.Packet) {
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		l.fail(dropSRTP, "marshal rtcp", err)
		return
	}
	if l.srtp != nil {
		if b, err = l.srtp.EncryptRTCP(l.rtcp, b, nil); err != nil {
			l.fail(dropSRTP, "encrypt rtcp", err)
			return
		}
		l.rtcp = b
	}
	l.write(b)
}

// fail counts one dropped packet and logs the error at most once a second.
func (l *link) fail(reason, what string, err error) {
	l.met.drop(reason, 1)
	l.errs.Warn(what, "err", err)
}

// grow returns b with length n, reallocated when its capacity is short.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
