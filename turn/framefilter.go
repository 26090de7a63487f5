package turn

import (
	"encoding/binary"
	"net"
)

// frameListener applies the unauthenticated request limit to each STUN
// message of a TCP or TLS stream, which it cuts into frames the way pion
// does: a STUN message by its length field, ChannelData by its length
// padded to four bytes (RFC 8656 §12.5).
type frameListener struct {
	net.Listener
	lim       *limiter
	m         *Metrics
	transport string
	rules     *recodeRules
}

// Accept implements net.Listener.
func (l *frameListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &frameConn{Conn: c, l: l, fix: recoder{rules: l.rules}}, nil
}

// frameConn passes whole frames through, less the unauthenticated requests
// over the source's rate. Bytes it cannot frame pass through unchanged
// from there on: pion then rejects the stream itself.
type frameConn struct {
	net.Conn
	l           *frameListener
	in, out     []byte
	passthrough bool
	fix         recoder
}

// Write implements net.Conn. pion writes one message per call: its
// answers (two of them corrected, recode.go), Data indications and
// ChannelData.
func (c *frameConn) Write(b []byte) (int, error) {
	out := c.fix.outbound(b)
	n, err := c.Conn.Write(out)
	if err == nil && n == len(out) {
		n = len(b)
	}
	return n, err
}

// Read implements net.Conn.
func (c *frameConn) Read(b []byte) (int, error) {
	for len(c.out) == 0 {
		if c.passthrough && len(c.in) > 0 {
			c.out, c.in = c.in, nil
			break
		}
		if len(c.in) == cap(c.in) {
			c.in = append(c.in, make([]byte, 4096)...)[:len(c.in)]
		}
		n, err := c.Conn.Read(c.in[len(c.in):cap(c.in)])
		c.in = c.in[:len(c.in)+n]
		c.cut()
		if err != nil && len(c.out) == 0 {
			return 0, err
		}
	}
	n := copy(b, c.out)
	c.out = c.out[n:]
	return n, nil
}

// cut moves the complete frames of in to out, dropping those the limit
// refuses.
func (c *frameConn) cut() {
	for !c.passthrough {
		size, ok := frameSize(c.in)
		switch {
		case size < 0:
			c.passthrough = true
			return
		case !ok:
			return
		}
		frame := c.in[:size]
		if unauthenticated(frame) && !c.l.lim.allow(c.RemoteAddr()) {
			c.l.m.rateLimited.WithLabelValues(c.l.transport).Inc()
		} else {
			c.fix.inbound(frame)
			c.out = append(c.out, frame...)
		}
		c.in = append(c.in[:0], c.in[size:]...)
	}
}

// frameSize returns the size of the frame at the start of b, with ok false
// when b does not hold it whole yet, or -1 when b does not start with a
// STUN message or ChannelData.
func frameSize(b []byte) (size int, ok bool) {
	if len(b) < 4 {
		return 0, false
	}
	length := int(binary.BigEndian.Uint16(b[2:4]))
	switch b[0] >> 6 {
	case 0: // STUN (RFC 8489 §6)
		if len(b) >= 8 && binary.BigEndian.Uint32(b[4:8]) != stunMagicCookie {
			return -1, false
		}
		size = stunHeaderLen + length
	case 1: // ChannelData (RFC 8656 §12.4)
		size = 4 + (length+3)&^3
	default:
		return -1, false
	}
	return size, len(b) >= size
}
