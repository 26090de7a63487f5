package turntest

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Timeout is the default bound of each request's wait for its response.
const Timeout = 3 * time.Second

// ErrTimeout reports that no response or data arrived in time.
var ErrTimeout = errors.New("turntest: timed out")

// ErrIntegrity reports a response whose FINGERPRINT or MESSAGE-INTEGRITY
// does not verify.
var ErrIntegrity = errors.New("turntest: response integrity check failed")

// Client is one TURN client connection (one 5-tuple, so at most one
// allocation).
type Client struct {
	// Timeout bounds each request's wait for its response; Dial sets it
	// to the package's Timeout.
	Timeout time.Duration

	conn   net.Conn
	stream bool // TCP or TLS: frames are delimited by their lengths
	buf    []byte
	pend   []byte // stream bytes read but not yet framed
	inbox  []Data

	user, pass, realm, nonce string
}

// Data is a datagram a peer sent through the relay: from a Data indication
// (Channel 0) or a ChannelData message.
type Data struct {
	Channel uint16
	Peer    string // the XOR-PEER-ADDRESS of a Data indication
	Payload []byte
}

// Dial connects to a TURN server: network is "udp", "tcp" or "tls" (with
// tc, which may be nil for "udp" and "tcp").
func Dial(network, addr string, tc *tls.Config) (*Client, error) {
	var conn net.Conn
	var err error
	switch network {
	case "udp", "tcp":
		conn, err = net.DialTimeout(network, addr, Timeout)
	case "tls":
		d := &net.Dialer{Timeout: Timeout}
		conn, err = tls.DialWithDialer(d, "tcp", addr, tc)
	default:
		return nil, fmt.Errorf("turntest: unknown network %q", network)
	}
	if err != nil {
		return nil, err
	}
	return &Client{Timeout: Timeout, conn: conn, stream: network != "udp", buf: make([]byte, 65600)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// LocalAddr returns the client's address.
func (c *Client) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// Conn returns the underlying connection, for benchmarks that read and
// write ChannelData themselves.
func (c *Client) Conn() net.Conn { return c.conn }

// WriteRaw sends b as it is (a datagram, or bytes of the stream).
func (c *Client) WriteRaw(b []byte) error {
	_, err := c.conn.Write(b)
	return err
}

// readFrame returns the next STUN message or ChannelData frame.
func (c *Client) readFrame(deadline time.Time) ([]byte, error) {
	if err := c.conn.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	if !c.stream {
		n, err := c.conn.Read(c.buf)
		return c.buf[:n], timeoutErr(err)
	}
	for {
		if size, ok := frameSize(c.pend); ok {
			f := append([]byte(nil), c.pend[:size]...)
			c.pend = c.pend[size:]
			return f, nil
		}
		n, err := c.conn.Read(c.buf)
		if err != nil {
			return nil, timeoutErr(err)
		}
		c.pend = append(c.pend, c.buf[:n]...)
	}
}

// frameSize returns the stream frame length at the start of b, once whole:
// STUN by its length, ChannelData padded to four bytes (RFC 8656 §12.5).
func frameSize(b []byte) (int, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	size := 20 + n
	if b[0]&0xC0 == 0x40 {
		size = 4 + (n+3)&^3
	}
	return size, len(b) >= size
}

func timeoutErr(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return err
}
