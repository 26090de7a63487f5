package egress

import (
	"errors"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/internal/srtpseam"
	"mediagate.dev/mediagate/internal/udpbatch"
)

// The fast path: a viewer whose ICE pair runs over the gateway's own UDP
// socket gets its RTP protected and sent by egress itself, with the SRTP
// keys its DTLS handshake exported (internal/srtpseam), on the same socket
// pion's ICE uses, so the browser sees the same 5-tuple. pion keeps ICE,
// DTLS and RTCP. Viewers over ICE-TCP, and any whose keys cannot be found,
// keep pion's path (fastPathResults says which).

// fastSocket is one ICE UDP socket: the hello-noting wrapper pion's mux
// reads and writes through, and the same socket set up for the fan-out's
// batched writes.
type fastSocket struct {
	conn  *srtpseam.Conn
	sock  udpbatch.Socket
	local netip.Addr
}

func newFastSocket(c *net.UDPConn) (*fastSocket, error) {
	sock, err := udpbatch.NewSocket(c)
	if err != nil {
		return nil, err
	}
	fs := &fastSocket{conn: srtpseam.NewConn(c), sock: sock}
	if ap, err := netip.ParseAddrPort(c.LocalAddr().String()); err == nil {
		fs.local = ap.Addr().Unmap()
	}
	return fs, nil
}

// fastDest is where a fast viewer's packets go: the socket its ICE pair
// uses and the remote address.
type fastDest struct {
	sock *fastSocket
	ap   netip.AddrPort
}

// The results of choosing a viewer's path, as
// mediagate_egress_fast_path_total labels them.
const (
	pathFast       = "fast"
	pathDisabled   = "disabled"
	pathTCP        = "tcp"
	pathNoPair     = "no_pair"
	pathNoKeys     = "no_keys"
	pathNoHandshke = "no_handshake"
)

var fastPathResults = []string{pathFast, pathDisabled, pathTCP, pathNoPair, pathNoKeys, pathNoHandshke}

// errPathChanged ends a fast viewer whose ICE pair moved off the gateway's
// UDP sockets: its SRTP rollover counters live in egress's contexts, which
// pion's path cannot take over.
var errPathChanged = errors.New("ice path left the fast path's sockets")

// fastKeys derives the viewer's SRTP keys once its DTLS is up, and makes
// one SRTP context per track (contexts are not safe for concurrent use,
// and each track has its own goroutine until it joins a fan). It returns
// nil contexts, with the reason, when the viewer stays on pion's path.
func (v *Viewer) fastKeys() ([]*srtp.Context, string) {
	if v.m.cfg.DisableFastPath {
		return nil, pathDisabled
	}
	pair, err := v.selectedPair()
	if err != nil || pair == nil {
		return nil, pathNoPair
	}
	if pair.Local.Protocol != webrtc.ICEProtocolUDP {
		return nil, pathTCP
	}
	remote, err := candidateAddr(pair.Remote)
	if err != nil {
		return nil, pathNoPair
	}
	for _, sock := range v.m.sockets.seams {
		cfg, _, err := srtpseam.KeysWith(v.m.sockets.keys, sock.conn, remote)
		if errors.Is(err, srtpseam.ErrNoHandshake) {
			continue // its hellos went through another socket
		}
		if err != nil {
			v.log.Debug("viewer stays on pion's path", "why", err)
			return nil, pathNoKeys
		}
		defer clear(cfg.Keys.LocalMasterKey)
		defer clear(cfg.Keys.LocalMasterSalt)
		clear(cfg.Keys.RemoteMasterKey)
		clear(cfg.Keys.RemoteMasterSalt)
		ctxs := make([]*srtp.Context, len(v.tracks))
		for i := range ctxs {
			if ctxs[i], err = srtp.CreateContext(cfg.Keys.LocalMasterKey, cfg.Keys.LocalMasterSalt, cfg.Profile); err != nil {
				return nil, pathNoKeys
			}
		}
		v.dest.Store(&fastDest{sock: sock, ap: remote})
		// followPair ignores a pair selected before dest was stored: one
		// selected while the keys were derived is followed now.
		if now, err := v.selectedPair(); err == nil && now != nil && !samePair(now, pair) {
			v.followPair(now)
		}
		return ctxs, pathFast
	}
	return nil, pathNoHandshke
}

// selectedPair is the viewer's ICE candidate pair.
func (v *Viewer) selectedPair() (*webrtc.ICECandidatePair, error) {
	return v.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
}

// samePair reports whether a and b join the same local and remote
// transport addresses.
func samePair(a, b *webrtc.ICECandidatePair) bool {
	same := func(x, y *webrtc.ICECandidate) bool {
		return x.Protocol == y.Protocol && x.Address == y.Address && x.Port == y.Port
	}
	return same(a.Local, b.Local) && same(a.Remote, b.Remote)
}

// candidateAddr is a candidate's address and port.
func candidateAddr(c *webrtc.ICECandidate) (netip.AddrPort, error) {
	a, err := netip.ParseAddr(c.Address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(a.Unmap(), c.Port), nil
}

// followPair moves a fast viewer's packets to the new remote address when
// ICE selects another pair over one of the gateway's UDP sockets (an ICE
// restart, a browser that changed networks), and ends the viewer when the
// new pair is not one.
func (v *Viewer) followPair(pair *webrtc.ICECandidatePair) {
	if v.dest.Load() == nil || pair == nil {
		return
	}
	remote, err := candidateAddr(pair.Remote)
	local, lerr := netip.ParseAddr(pair.Local.Address)
	if err != nil || lerr != nil || pair.Local.Protocol != webrtc.ICEProtocolUDP {
		v.log.Warn("viewer's ICE path left the UDP sockets", "err", errPathChanged)
		v.requestStop("ice path changed")
		return
	}
	sock := v.dest.Load().sock
	for _, s := range v.m.sockets.seams {
		if s.local == local.Unmap() {
			sock = s
		}
	}
	v.dest.Store(&fastDest{sock: sock, ap: remote})
}

// fastLink protects and sends one track's packets on the fast path. The
// goroutine that writes the track owns it (the forwarder's, or its fan's
// under the forwarder's lock).
type fastLink struct {
	ctx  *srtp.Context
	dest *atomic.Pointer[fastDest] // the viewer's, shared by its tracks
	hdr  rtp.Header                // EncryptRTP's scratch header
	out  []byte                    // a single write's packet
}

// seal marshals the packet into dst's capacity (a new buffer when short)
// and protects it there, in place, and returns it.
func (l *fastLink) seal(dst []byte, h *rtp.Header, payload []byte) ([]byte, error) {
	n := h.MarshalSize() + len(payload)
	if cap(dst) < n+srtpOverhead {
		dst = make([]byte, 0, n+srtpOverhead)
	}
	pkt := dst[:n]
	hl, err := h.MarshalTo(pkt)
	if err != nil {
		return nil, err
	}
	copy(pkt[hl:], payload)
	return l.ctx.EncryptRTP(pkt, pkt, &l.hdr)
}

// write sends one packet at once, outside a fan's batch: the GOP replay,
// the bridge, retransmissions, and tracks not on a fan.
func (l *fastLink) write(h *rtp.Header, payload []byte) (int, error) {
	out, err := l.seal(l.out, h, payload)
	if err != nil {
		return 0, err
	}
	l.out = out[:0]
	return len(out), l.send(out)
}

// WriteRTCP protects a compound RTCP packet with the track's context
// (SRTCP) and sends it: the track's Sender Reports. Once a track is on the
// fast path its reports must not go through pion, whose SRTCP context has
// the same keys but an SRTCP index of its own: the viewer would drop one
// side's packets as replays.
func (l *fastLink) WriteRTCP(pkts []rtcp.Packet) error {
	raw, err := rtcp.Marshal(pkts)
	if err != nil {
		return err
	}
	out, err := l.ctx.EncryptRTCP(l.out[:0], raw, nil)
	if err != nil {
		return err
	}
	l.out = out[:0]
	return l.send(out)
}

// send writes one protected datagram to the viewer with a plain write. (A
// raw sendmmsg of one datagram, as a fan's pass sends, failed
// TestGatewayToGateway in 3 of 6 runs here, its forwarded streams losing
// packets; the plain write passed all nine. Why is not known yet.)
func (l *fastLink) send(pkt []byte) error {
	d := l.dest.Load()
	_, err := d.sock.conn.UDPConn.WriteToUDPAddrPort(pkt, d.ap)
	return err
}

// srtpOverhead is room for the largest SRTP authentication tag pion adds
// (16 bytes, AEAD-AES-GCM).
const srtpOverhead = 16
