package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// replayWindow is the SRTCP replay window (RFC 3711 §3.3.2 asks for at
// least 64); pion/srtp leaves replay protection off unless asked.
const replayWindow = 64

// transport is the one UDP socket the sender uses both ways (symmetric
// RTP, RFC 4961): RTP or SRTP out, RTCP or SRTCP in, muxed (RFC 5761).
type transport struct {
	conn   *net.UDPConn
	remote netip.AddrPort
	absID  uint8     // abs-send-time extension id; 0 for none
	epoch  time.Time // abs-send-time counts from here
	meter  *rateMeter
	log    *slog.Logger

	txMu sync.Mutex    // guards tx and the send buffers
	tx   *srtp.Context // nil for plain RTP
	raw  []byte
	enc  []byte
	ext  [absSendTimeLen]byte

	rx *srtp.Context // opens the gateway's SRTCP; used by the reader only

	packets atomic.Int64 // RTP packets sent
	octets  atomic.Int64 // payload octets sent (RFC 3550 §6.4.1)
	sendErr gate         // guarded by txMu
}

// newTransport opens a socket of remote's address family on an ephemeral
// port, and the SRTP contexts when keys is not nil.
func newTransport(o *options, keys *srtpKeys, epoch time.Time, log *slog.Logger) (*transport, error) {
	ap := o.remote.AddrPort()
	remote := netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	network, local := "udp6", &net.UDPAddr{IP: net.IPv6unspecified}
	if remote.Addr().Is4() {
		network, local = "udp4", &net.UDPAddr{IP: net.IPv4zero}
	}
	conn, err := net.ListenUDP(network, local)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errSocket, err)
	}
	t := &transport{
		conn: conn, remote: remote, absID: uint8(o.AbsSendTimeID), epoch: epoch,
		meter: newRateMeter(rateWindow, epoch), log: log,
		raw: make([]byte, 0, 1500), enc: make([]byte, 0, 1500),
	}
	if keys != nil {
		if err := t.openSRTP(keys); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return t, nil
}

// openSRTP creates the sending context and, with replay protection, the
// receiving one (RFC 3711 §3.3.2).
func (t *transport) openSRTP(k *srtpKeys) error {
	tx, err := srtp.CreateContext(k.key, k.salt, k.profile)
	if err != nil {
		return fmt.Errorf("%w: %w", errKey, err)
	}
	rx, err := srtp.CreateContext(k.key, k.salt, k.profile, srtp.SRTCPReplayProtection(replayWindow))
	if err != nil {
		return fmt.Errorf("%w: %w", errKey, err)
	}
	t.tx, t.rx = tx, rx
	return nil
}

// localAddr is the socket's own address.
func (t *transport) localAddr() netip.AddrPort {
	return t.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// sendRTP stamps abs-send-time on p, protects it when SRTP is on and
// sends it. It runs on the pacer's goroutine; errors are counted in the
// log at most once a second, never fatal (the receiver may not be up yet).
func (t *transport) sendRTP(p *packet) {
	now := time.Now()
	t.txMu.Lock()
	defer t.txMu.Unlock()
	if t.absID != 0 {
		t.ext = absSendTime(now.Sub(t.epoch))
		if err := p.hdr.SetExtension(t.absID, t.ext[:]); err != nil {
			t.sendFailed(now, err)
			return
		}
	}
	var err error
	t.raw, err = appendRTP(t.raw[:0], &p.hdr, p.payload)
	out := t.raw
	if err == nil && t.tx != nil {
		t.enc, err = t.tx.EncryptRTP(t.enc[:0], t.raw, &p.hdr)
		out = t.enc
	}
	if err == nil {
		_, err = t.conn.WriteToUDPAddrPort(out, t.remote)
	}
	if err != nil {
		t.sendFailed(now, err)
		return
	}
	t.meter.add(now, len(out))
	t.packets.Add(1)
	t.octets.Add(int64(len(p.payload)))
}

// appendRTP appends the marshalled packet to b.
func appendRTP(b []byte, h *rtp.Header, payload []byte) ([]byte, error) {
	start, n := len(b), h.MarshalSize()
	b = slices.Grow(b, n+len(payload))[:start+n]
	if _, err := h.MarshalTo(b[start:]); err != nil {
		return b, err
	}
	return append(b, payload...), nil
}

// sendRTCP marshals pkts as one compound, protects it as SRTCP when SRTP
// is on (RFC 3711 §3.4) and sends it.
func (t *transport) sendRTCP(pkts []rtcp.Packet) {
	raw, err := rtcp.Marshal(pkts)
	t.txMu.Lock()
	defer t.txMu.Unlock()
	if err == nil && t.tx != nil {
		raw, err = t.tx.EncryptRTCP(nil, raw, nil)
	}
	if err == nil {
		_, err = t.conn.WriteToUDPAddrPort(raw, t.remote)
	}
	if err != nil {
		t.sendFailed(time.Now(), err)
	}
}

// sendFailed logs a send error at most once a second. Called with txMu
// held.
func (t *transport) sendFailed(now time.Time, err error) {
	if n, ok := t.sendErr.allow(now); ok {
		t.log.Warn("sending failed", "remote", t.remote.String(), "err", err, "suppressed", n)
	}
}

// close closes the socket.
func (t *transport) close() error { return t.conn.Close() }
