package ingest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// readErrorBackoff paces a read loop whose socket keeps failing, so that a
// persistent error is logged, not spun on.
const readErrorBackoff = 10 * time.Millisecond

// bind opens the RTP socket and, when configured, the RTCP socket. On error
// nothing stays open.
func (s *Source) bind() error {
	rtpConn, err := s.listen(s.cfg.Listen)
	if err != nil {
		return err
	}
	s.rtpConn, s.rtpOut, s.rtcpOut = rtpConn, rtpConn, rtpConn
	if s.cfg.RTCPListen == "" {
		return nil
	}
	rtcpConn, err := s.listen(s.cfg.RTCPListen)
	if err != nil {
		_ = rtpConn.Close()
		return err
	}
	s.rtcpConn, s.rtcpOut = rtcpConn, rtcpConn
	return nil
}

// listen binds one UDP socket, IPv4 or IPv6 as the address says ("[::]"
// and ":port" are dual-stack, "0.0.0.0" is IPv4 only), with SO_RCVBUF set
// when configured.
func (s *Source) listen(addr string) (*net.UDPConn, error) {
	if addr == "" {
		return nil, fmt.Errorf("%w: empty listen address", ErrListen)
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrListen, addr, err)
	}
	network := "udp" // a wildcard or IPv6 address: dual-stack where the OS allows
	if ua.IP.To4() != nil {
		network = "udp4"
	}
	c, err := net.ListenUDP(network, ua)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrListen, err)
	}
	if s.cfg.SocketBuffer > 0 {
		if err := c.SetReadBuffer(s.cfg.SocketBuffer); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("%w: %s: SO_RCVBUF: %w", ErrListen, addr, err)
		}
	}
	return c, nil
}

// readLoop reads datagrams from c until the source closes. The buffer holds
// one byte more than ReadBuffer, so a datagram that fills it was too large.
func (s *Source) readLoop(c *net.UDPConn, rtcpOnly bool) {
	defer s.wg.Done()
	buf := make([]byte, s.cfg.ReadBuffer+1)
	beat := s.heartbeat(c, rtcpOnly)
	for {
		n, _, flags, from, err := c.ReadMsgUDPAddrPort(buf, nil)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				beat()
				continue
			}
			if s.readFailed(err) {
				return
			}
			continue
		}
		now := time.Now()
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if oversize(n, flags, s.cfg.ReadBuffer) {
			s.drop(dropOversize, from, now)
			continue
		}
		s.handle(buf[:n], from, rtcpOnly, now)
	}
}

// heartbeat returns what the read loop on c calls when its read deadline
// passes: it reports the loop alive to SourceConfig.Heartbeat and sets the
// next deadline, so the loop wakes at least once per HeartbeatInterval
// whether or not datagrams arrive. The deadline is absolute, so a busy
// socket costs one wake-up per interval, not a syscall per datagram.
// Without a Heartbeat no deadline is set and the returned func is never
// called.
func (s *Source) heartbeat(c *net.UDPConn, rtcpOnly bool) func() {
	if s.cfg.Heartbeat == nil {
		return func() {}
	}
	loop := "rtp"
	if rtcpOnly {
		loop = "rtcp"
	}
	beat := func() {
		s.cfg.Heartbeat(loop)
		_ = c.SetReadDeadline(time.Now().Add(s.cfg.HeartbeatInterval))
	}
	beat()
	return beat
}

// readFailed reports whether the read loop must end (the socket is closed);
// other errors are logged at most once per second and paced.
func (s *Source) readFailed(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return true
	}
	if s.readErrGate.allow(time.Since(s.epoch), logEvery) {
		s.log.Warn("ingest read failed", "err", err)
	}
	select {
	case <-s.done:
		return true
	case <-time.After(readErrorBackoff):
		return false
	}
}

// handle demultiplexes one datagram (RFC 7983, RFC 5761) to the RTP or
// RTCP path. RTP that arrives on a separate RTCP socket is malformed there.
func (s *Source) handle(b []byte, from netip.AddrPort, rtcpOnly bool, now time.Time) {
	switch classify(b) {
	case kindRTP:
		if rtcpOnly {
			s.drop(dropMalformed, from, now)
			return
		}
		s.handleRTP(b, from, now)
	case kindRTCP:
		s.handleRTCP(b, from, rtcpOnly, now)
	default:
		s.drop(dropMalformed, from, now)
	}
}

// packetKind is what the first two bytes of a datagram say it carries.
type packetKind int

const (
	kindOther packetKind = iota // STUN, DTLS, ZRTP, TURN channel data or garbage
	kindRTP
	kindRTCP
)

// classify demultiplexes a datagram by its first bytes. RFC 7983 §7 reserves
// first-byte values 128-191 for RTP and RTCP (version 2 in the top two bits);
// everything else (STUN 0-3, ZRTP 16-19, DTLS 20-63, TURN 64-79) is not ours.
// RFC 5761 §4 then tells RTCP from RTP on a muxed port: the second byte of
// RTCP, its packet type, lies in 192-223, a range RTP payload types (with the
// marker bit) avoid when RTCP is muxed.
func classify(b []byte) packetKind {
	if len(b) < 2 || b[0] < 128 || b[0] > 191 {
		return kindOther
	}
	if b[1] >= 192 && b[1] <= 223 {
		return kindRTCP
	}
	return kindRTP
}

// oversize reports a datagram that did not fit: the kernel truncated it
// (MSG_TRUNC) or it filled the one spare byte of the ReadBuffer+1 buffer.
// Go's plain ReadFrom would hand on the truncated prefix as if whole.
func oversize(n, flags, limit int) bool {
	return flags&syscall.MSG_TRUNC != 0 || n > limit
}
