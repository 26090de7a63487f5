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
func (l *link) sealRTP(dst []byte, h *rtp.Header, payload []byte) ([]byte, error) {
	n := h.MarshalSize() + len(payload)
	buf := dst
	if l.srtp != nil {
		buf = l.plain
	}
	buf = grow(buf, n)
	if _, err := h.MarshalTo(buf); err != nil {
		return dst, l.fail(dropSRTP, "marshal rtp", err)
	}
	copy(buf[n-len(payload):], payload)
	if l.srtp == nil {
		return buf, nil
	}
	l.plain = buf
	out, err := l.srtp.EncryptRTP(dst, buf, h)
	if err != nil {
		return dst, l.fail(dropSRTP, "encrypt rtp", err)
	}
	return out, nil
}

// write sends one datagram to the receiver.
func (l *link) write(b []byte) error {
	if _, err := l.conn.WriteToUDPAddrPort(b, l.remote); err != nil {
		return l.fail(dropWrite, "write to receiver", err)
	}
	return nil
}

// WriteRTCP sends one compound RTCP packet, as SRTCP when keyed; it is the
// tracks' outbound.RTCPWriter. A failure is already counted and logged.
func (l *link) WriteRTCP(pkts []rtcp.Packet) error {
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		return l.fail(dropSRTP, "marshal rtcp", err)
	}
	if l.srtp != nil {
		if b, err = l.srtp.EncryptRTCP(l.rtcp, b, nil); err != nil {
			return l.fail(dropSRTP, "encrypt rtcp", err)
		}
		l.rtcp = b
	}
	return l.write(b)
}

// fail counts one dropped packet, logs the error at most once a second and
// returns it.
func (l *link) fail(reason, what string, err error) error {
	l.met.drop(reason, 1)
	l.errs.Warn(what, "err", err)
	return err
}

// grow returns b with length n, reallocated when its capacity is short.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}
