package ingest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"mediagate.dev/mediagate/internal/udpbatch"
)

// readErrorBackoff paces a read loop whose socket keeps failing, so that a
// persistent error is logged, not spun on.
const readErrorBackoff = 10 * time.Millisecond

// Datagrams one read takes (recvmmsg(2), internal/udpbatch). A camera
// sends a video frame's packets back to back, so one wake-up of the RTP
// loop takes a frame, a key frame in a few; the RTCP port carries a few
// reports a second. maxBatchBytes bounds a socket's read buffers, so a
// large ReadBuffer reads fewer datagrams at a time.
const (
	rtpBatch      = 32
	rtcpBatch     = 4
	maxBatchBytes = 128 << 10
)

// bind opens the RTP socket and, when configured, the RTCP socket, each
// with its batch reader. On error nothing stays open.
func (s *Source) bind() error {
	rtpConn, rtpIn, err := s.listen(s.cfg.Listen, rtpBatch)
	if err != nil {
		return err
	}
	s.rtpConn, s.rtpIn, s.rtpOut, s.rtcpOut = rtpConn, rtpIn, rtpConn, rtpConn
	if s.cfg.RTCPListen == "" {
		return nil
	}
	rtcpConn, rtcpIn, err := s.listen(s.cfg.RTCPListen, rtcpBatch)
	if err != nil {
		_ = rtpConn.Close()
		return err
	}
	s.rtcpConn, s.rtcpIn, s.rtcpOut = rtcpConn, rtcpIn, rtcpConn
	return nil
}

// listen binds one UDP socket, IPv4 or IPv6 as the address says ("[::]"
// and ":port" are dual-stack, "0.0.0.0" is IPv4 only), with SO_RCVBUF set
// when configured, and gives it a reader of up to batch datagrams.
func (s *Source) listen(addr string, batch int) (*net.UDPConn, *udpbatch.Reader, error) {
	if addr == "" {
		return nil, nil, fmt.Errorf("%w: empty listen address", ErrListen)
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrListen, addr, err)
	}
	network := "udp" // a wildcard or IPv6 address: dual-stack where the OS allows
	if ua.IP.To4() != nil {
		network = "udp4"
	}
	c, err := net.ListenUDP(network, ua)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrListen, err)
	}
	if s.cfg.SocketBuffer > 0 {
		if err := c.SetReadBuffer(s.cfg.SocketBuffer); err != nil {
			_ = c.Close()
			return nil, nil, fmt.Errorf("%w: %s: SO_RCVBUF: %w", ErrListen, addr, err)
		}
	}
	in, err := udpbatch.NewReader(c, readBuffers(s.cfg.ReadBuffer, batch))
	if err != nil {
		_ = c.Close()
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrListen, addr, err)
	}
	return c, in, nil
}

// readBuffers returns up to batch read buffers, cut from one block, each
// one byte larger than limit, so that a datagram that fills one was too
// large.
func readBuffers(limit, batch int) [][]byte {
	size := limit + 1
	n := max(1, min(batch, maxBatchBytes/size))
	block := make([]byte, n*size)
	bufs := make([][]byte, n)
	for i := range bufs {
		bufs[i] = block[i*size : (i+1)*size : (i+1)*size]
	}
	return bufs
}

// readLoop reads batches of datagrams from c through in until the source
// closes. The datagrams of a batch were queued together: one clock
// reading serves them all. After an RTP batch a REMB may be due.
func (s *Source) readLoop(c *net.UDPConn, in *udpbatch.Reader, rtcpOnly bool) {
	defer s.wg.Done()
	beat := s.heartbeat(c, rtcpOnly)
	for {
		dgs, err := in.Read()
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
		for i := range dgs {
			s.datagram(&dgs[i], rtcpOnly, now)
		}
		if !rtcpOnly {
			s.rembAfterBatch(now)
		}
	}
}

// datagram takes one datagram of a batch: an oversize one is dropped and
// counted, the others handled.
func (s *Source) datagram(d *udpbatch.Datagram, rtcpOnly bool, now time.Time) {
	from := netip.AddrPortFrom(d.From.Addr().Unmap(), d.From.Port())
	if oversize(d, s.cfg.ReadBuffer) {
		s.drop(dropOversize, from, now)
		return
	}
	s.handle(d.Bytes(), from, rtcpOnly, now)
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
func oversize(d *udpbatch.Datagram, limit int) bool {
	return d.Trunc || d.N > limit
}
