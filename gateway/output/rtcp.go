package output

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/outbound"
)

// readErrorBackoff paces a read loop whose socket keeps failing.
const readErrorBackoff = 10 * time.Millisecond

// readLoop reads the receiver's RTCP until the socket closes. The buffer
// holds one byte more than ReadBuffer, so a datagram that fills it, or
// that the kernel truncated (MSG_TRUNC), was too large.
func (o *Output) readLoop() {
	defer o.wg.Done()
	buf := make([]byte, o.cfg.ReadBuffer+1)
	for {
		n, _, flags, from, err := o.conn.ReadMsgUDPAddrPort(buf, nil)
		if err != nil {
			if o.readFailed(err) {
				return
			}
			continue
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		switch {
		case from != o.cfg.Remote:
			o.met.drop(dropStranger, 1)
			o.errs.Warn("rtcp from an address other than the receiver's dropped", "from", from.String())
		case flags&syscall.MSG_TRUNC != 0 || n > o.cfg.ReadBuffer:
			o.met.drop(dropOversize, 1)
		default:
			o.handleDatagram(buf[:n], time.Now())
		}
	}
}

// readFailed reports whether the read loop must end (the socket is
// closed); other errors are logged at most once a second and paced.
func (o *Output) readFailed(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return true
	}
	o.errs.Warn("output read failed", "err", err)
	select {
	case <-o.stop:
		return true
	case <-time.After(readErrorBackoff):
		return false
	}
}

// isRTCP tells RTCP from anything else on a muxed port: version 2 in the
// first byte's top bits (RFC 7983 §7: 128-191 is RTP or RTCP), and a
// second byte, the packet type, in 192-223 (RFC 5761 §4).
func isRTCP(b []byte) bool {
	return len(b) >= 8 && b[0] >= 128 && b[0] <= 191 && b[1] >= 192 && b[1] <= 223
}

// handleDatagram authenticates and decrypts one datagram from the receiver
// when keyed (SRTCP, RFC 3711 §3.4) and acts on each packet of it.
func (o *Output) handleDatagram(b []byte, now time.Time) {
	if !isRTCP(b) {
		o.met.drop(dropNotRTCP, 1)
		return
	}
	if o.srtcp != nil {
		plain, err := o.srtcp.DecryptRTCP(o.plain[:0], b, nil)
		if err != nil {
			o.met.drop(dropAuth, 1)
			o.errs.Warn("srtcp from the receiver failed authentication", "err", err)
			return
		}
		o.plain, b = plain, plain
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		o.met.rtcp["malformed"].Inc()
		o.errs.Warn("malformed rtcp from the receiver", "err", err)
		return
	}
	for _, p := range pkts {
		o.handleRTCP(p, now)
	}
}

// rtcpFeedback is what the receiver's RTCP does: REMB is remembered and
// reported, PLI and FIR ask the stream for a keyframe, NACK asks the send
// loop for retransmissions; the rest is only counted.
func (o *Output) rtcpFeedback() outbound.Feedback {
	return outbound.Feedback{
		Keyframe: func() { o.current.Load().RequestKeyframe() },
		REMB:     o.handleREMB,
		NACK:     o.handleNACK,
	}
}

// handleRTCP acts on one packet of a compound RTCP packet and counts it.
func (o *Output) handleRTCP(p rtcp.Packet, now time.Time) {
	o.met.rtcp[o.feedback.Handle(p, now)].Inc()
}

// handleREMB records the receiver's bitrate, shows it in the gauge and
// passes it to Config.OnREMB.
func (o *Output) handleREMB(p *rtcp.ReceiverEstimatedMaximumBitrate, now time.Time) {
	bps := o.remb.set(p.Bitrate, now)
	o.met.remb.Set(float64(bps))
	if o.cfg.OnREMB != nil {
		o.cfg.OnREMB(bps)
	}
}
