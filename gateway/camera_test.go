package gateway

import (
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// camera is the test's own symmetric-RTP camera: it sends VP8 at a steady
// 200 packets per second (a keyframe every 50) from one UDP socket until
// stopped, over SRTP (AES_CM_128_HMAC_SHA1_80) when it has a key.
type camera struct {
	conn *net.UDPConn
	srtp *srtp.Context

	mu   sync.Mutex
	ssrc uint32
	seq  uint16
	ts   uint32
	last []byte // the last datagram sent, for replay tests
	n    int    // packets sent
	key  []byte // SRTP master key and salt, nil for plain RTP
	gen  byte   // restarts so far, the first byte of every packet's body
	kick bool   // the next packet is a key frame (after a restart)

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// startCamera sends from local (e.g. "127.0.0.1:0") to port; key (30 bytes)
// turns SRTP on.
func startCamera(t testing.TB, local string, port int, key []byte) *camera {
	t.Helper()
	laddr, err := net.ResolveUDPAddr("udp4", local)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp4", laddr, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	c := &camera{conn: conn, ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32(),
		stop: make(chan struct{}), done: make(chan struct{})}
	c.key = key
	if err := c.rekey(); err != nil {
		t.Fatal(err)
	}
	go c.run()
	t.Cleanup(c.Stop)
	return c
}

// rekey starts a fresh SRTP context, as a restarted camera does.
func (c *camera) rekey() (err error) {
	if c.key != nil {
		c.srtp, err = srtp.CreateContext(c.key[:16], c.key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	}
	return err
}

// restart makes the camera start over from the same socket, as a reboot or
// an encoder restart does: a new SSRC, new sequence numbers and timestamps,
// a fresh SRTP context, and a key frame first.
func (c *camera) restart() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ssrc, c.seq, c.ts = rand.Uint32(), uint16(rand.Uint32()), rand.Uint32()
	c.gen++
	c.kick = true
	return c.rekey()
}

// takeKick reports whether a restart asked for a key frame, once.
func (c *camera) takeKick() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.kick
	c.kick = false
	return k
}

func (c *camera) run() {
	defer close(c.done)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	body := make([]byte, 600)
	for i := 0; ; i++ {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		vp8 := byte(0x51) // inter frame
		if c.takeKick() || i%50 == 0 {
			vp8 = 0x50 // key frame
		}
		_ = c.send(append([]byte{0x10, vp8}, body...))
	}
}

// send writes one VP8 packet (one packet per frame, marker set).
func (c *camera) send(payload []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(payload) > 2 {
		payload[2] = c.gen
	}
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 97, SequenceNumber: c.seq,
		Timestamp: c.ts, SSRC: c.ssrc, Marker: true}, Payload: payload}
	c.seq++
	c.n++
	c.ts += 3000
	b, err := p.Marshal()
	if err != nil {
		return err
	}
	if c.srtp != nil {
		if b, err = c.srtp.EncryptRTP(nil, b, nil); err != nil {
			return err
		}
	}
	c.last = b
	_, err = c.conn.Write(b)
	return err
}

// sent returns how many packets the camera has sent.
func (c *camera) sent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// replayLast sends the last datagram again, byte for byte.
func (c *camera) replayLast() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.conn.Write(c.last)
	return err
}

// writeRaw sends b as one datagram from the camera's socket.
func (c *camera) writeRaw(b []byte) error {
	_, err := c.conn.Write(b)
	return err
}

// LocalAddr is the camera's source address.
func (c *camera) LocalAddr() *net.UDPAddr { return c.conn.LocalAddr().(*net.UDPAddr) }

// Stop ends sending and closes the socket.
func (c *camera) Stop() {
	c.stopOnce.Do(func() {
		close(c.stop)
		<-c.done
		_ = c.conn.Close()
	})
}
