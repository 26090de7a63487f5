package main

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/pion/transport/v5"
	"golang.org/x/sys/unix"
)

// stampedNet is the network stack of one benchmark viewer's ICE agent
// (SettingEngine.SetNet): the host's, except that the UDP sockets ICE
// gathers its host candidates on have kernel receive timestamps on and
// record each RTP packet's arrival in the viewer's table. The viewer's
// receive path is otherwise pion's own: ICE reads the socket on its
// candidate's goroutine as it would a plain *net.UDPConn (without ECN,
// which pion reads only from a plain one; the viewers do not use it).
type stampedNet struct {
	transport.Net // the host's (stdnet), shared by every viewer of a server
	arrivals      *arrivalTable
}

// ListenUDP opens a UDP socket with SO_TIMESTAMPNS on.
func (n *stampedNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	if err := enableRxTimestamps(c); err != nil {
		c.Close()
		return nil, err
	}
	return &stampedConn{UDPConn: c, arrivals: n.arrivals}, nil
}

// enableRxTimestamps turns on SO_TIMESTAMPNS (socket(7)) on c.
func enableRxTimestamps(c *net.UDPConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("receive timestamps: %w", err)
	}
	return setSocketInt(raw, unix.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS")
}

// setSocketInt sets the SOL_SOCKET option opt, called name in errors, to
// value on raw's socket.
func setSocketInt(raw syscall.RawConn, opt, value int, name string) error {
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, opt, value)
	}); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if serr != nil {
		return fmt.Errorf("%s: %w", name, serr)
	}
	return nil
}

// rxOOBSize holds the control messages of one read: the timestamp's
// (16 bytes of header, 16 of timespec) with room to spare.
const rxOOBSize = 128

// stampedConn is a viewer's UDP socket that records when each RTP packet
// arrived. ICE reads it from one goroutine (its candidate's receive loop),
// through ReadFromAddrPort (ice.AddrPortReaderWriter) or ReadFrom; the
// other methods are the socket's own.
type stampedConn struct {
	*net.UDPConn
	arrivals *arrivalTable
	oob      [rxOOBSize]byte // the one reader's control buffer
}

// ReadFromAddrPort reads one datagram and records its arrival.
func (c *stampedConn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, oobn, _, addr, err := c.ReadMsgUDPAddrPort(b, c.oob[:])
	if err == nil {
		c.record(b[:n], c.oob[:oobn])
	}
	return n, addr, err
}

// ReadFrom reads one datagram and records its arrival.
func (c *stampedConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := c.ReadFromAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(addr), nil
}

// WriteToAddrPort sends one datagram (ice.AddrPortReaderWriter).
func (c *stampedConn) WriteToAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	return c.WriteToUDPAddrPort(b, addr)
}

// record puts an RTP packet's kernel timestamp, moved to monoNow's clock,
// in the arrival table.
func (c *stampedConn) record(pkt, oob []byte) {
	ssrc, seq, ok := rtpIdentity(pkt)
	if !ok {
		return
	}
	wall, ok := kernelTimestamp(oob)
	if !ok {
		return // counted by the viewer as a packet without an arrival
	}
	now := time.Now()
	c.arrivals.put(ssrc, seq, wallToMono(wall, now), int64(now.Sub(clockBase)))
}
