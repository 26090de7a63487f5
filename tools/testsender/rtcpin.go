package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/pion/rtcp"
)

// maxDatagram is the receive buffer: an RTCP compound from the gateway is
// far smaller; a larger datagram is reported truncated and dropped.
const maxDatagram = 2048

// readLoop reads the socket until ctx ends and hands each RTCP compound
// from the remote to on. Anything else is dropped: datagrams from other
// addresses, truncated ones, RTP, SRTCP that does not authenticate.
func (t *transport) readLoop(ctx context.Context, on func([]rtcp.Packet)) {
	stop := context.AfterFunc(ctx, func() { _ = t.conn.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, maxDatagram)
	var drops gate
	for {
		n, _, flags, from, err := t.conn.ReadMsgUDPAddrPort(buf, nil)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				t.log.Error("reading RTCP failed; no more feedback", "err", err)
			}
			return
		}
		pkts, why := t.parseRTCP(buf[:n], flags, from)
		if why != "" {
			if k, ok := drops.allow(time.Now()); ok {
				t.log.Warn("dropped a datagram", "reason", why, "from", from.String(), "suppressed", k)
			}
			continue
		}
		on(pkts)
	}
}

// parseRTCP checks one datagram and unmarshals its RTCP compound, or says
// why it was dropped.
func (t *transport) parseRTCP(b []byte, flags int, from netip.AddrPort) ([]rtcp.Packet, string) {
	switch {
	case flags&syscall.MSG_TRUNC != 0:
		return nil, "truncated"
	case netip.AddrPortFrom(from.Addr().Unmap(), from.Port()) != t.remote:
		return nil, "not from the remote"
	case !isRTCP(b):
		return nil, "not RTCP"
	}
	if t.rx != nil {
		plain, err := t.rx.DecryptRTCP(nil, b, nil)
		if err != nil {
			return nil, "SRTCP refused: " + err.Error()
		}
		b = plain
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return nil, "malformed RTCP: " + err.Error()
	}
	return pkts, ""
}

// isRTCP tells RTCP from RTP on a muxed port by the packet type byte
// (RFC 5761 §4: 192 to 223), after checking the version 2 first byte
// (RFC 7983 §7: 128 to 191).
func isRTCP(b []byte) bool {
	return len(b) >= 8 && b[0] >= 128 && b[0] <= 191 && b[1] >= 192 && b[1] <= 223
}
