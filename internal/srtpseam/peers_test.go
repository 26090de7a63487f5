package srtpseam

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/protocol/handshake"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/internal/looptest"
)

// setupTimeout bounds ICE+DTLS on loopback.
const setupTimeout = 15 * time.Second

// peerCase is one row of the seam table.
type peerCase struct {
	name    string
	role    webrtc.DTLSRole // the gateway's answering DTLS role
	profile dtls.SRTPProtectionProfile
	ems     dtls.ExtendedMasterSecretType
}

// pair is a gateway PeerConnection (answerer, sending one VP8 track) and a
// viewer PeerConnection (WHEP-like offerer, receiving it) on loopback.
type pair struct {
	gw, viewer *webrtc.PeerConnection
	track      *webrtc.TrackLocalStaticRTP
	socket     *captureConn // the gateway's shared ICE UDP socket
	keyLog     *KeyLog
	helloHook  chan handshake.MessageServerHello
	remote     chan *webrtc.TrackRemote
}

// captureConn is the seam's Conn plus a copy of every SRTP datagram the
// gateway's pion writes, for comparing bytes with pion's own.
type captureConn struct {
	*Conn
	mu  sync.Mutex
	out [][]byte
}

func (c *captureConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	c.keep(b)
	return c.Conn.WriteTo(b, addr)
}

func (c *captureConn) WriteToAddrPort(b []byte, ap netip.AddrPort) (int, error) {
	c.keep(b)
	return c.Conn.WriteToAddrPort(b, ap)
}

// keep stores RTP (not RTCP, RFC 5761 §4) datagrams: first byte 128..191.
func (c *captureConn) keep(b []byte) {
	if len(b) < 12 || b[0]&0xc0 != 0x80 || b[1]&0x7f >= 64 && b[1]&0x7f <= 95 {
		return
	}
	c.mu.Lock()
	c.out = append(c.out, append([]byte(nil), b...))
	c.mu.Unlock()
}

func (c *captureConn) sent() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.out...)
}

// gatewaySettings is a SettingEngine like egress's (loopback, mDNS off,
// no active TCP) with a UDP mux over the wrapped socket, as egress's
// listenICE builds it.
func gatewaySettings(t *testing.T, pc peerCase, sock *captureConn, kl *KeyLog, hook chan handshake.MessageServerHello) webrtc.SettingEngine {
	t.Helper()
	se := looptest.SettingEngine()
	se.DisableActiveTCP(true)
	mux := ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: sock})
	t.Cleanup(func() { _ = mux.Close() })
	se.SetICEUDPMux(mux)
	if err := se.SetAnsweringDTLSRole(pc.role); err != nil {
		t.Fatal(err)
	}
	se.SetSRTPProtectionProfiles(pc.profile)
	se.SetDTLSExtendedMasterSecret(pc.ems)
	se.SetDTLSKeyLogWriter(kl)
	se.SetDTLSServerHelloMessageHook(func(m handshake.MessageServerHello) handshake.Message {
		select {
		case hook <- m:
		default:
		}
		return &m
	})
	return se
}

func newAPI(t *testing.T, se webrtc.SettingEngine) *webrtc.API {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir))
}

// newPair connects a viewer's offer to the gateway's answer (no trickle).
func newPair(t *testing.T, pc peerCase) *pair {
	t.Helper()
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := &pair{socket: &captureConn{Conn: NewConn(udp)}, keyLog: &KeyLog{},
		helloHook: make(chan handshake.MessageServerHello, 4), remote: make(chan *webrtc.TrackRemote, 1)}
	t.Cleanup(p.keyLog.Forget)
	p.gw, err = newAPI(t, gatewaySettings(t, pc, p.socket, p.keyLog, p.helloHook)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.gw.Close() })
	p.viewer, err = newAPI(t, looptest.SettingEngine()).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.viewer.Close() })
	p.viewer.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { p.remote <- tr })
	p.negotiate(t)
	return p
}

func (p *pair) negotiate(t *testing.T) {
	t.Helper()
	if _, err := p.viewer.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		t.Fatal(err)
	}
	offer := gathered(t, p.viewer, func() (webrtc.SessionDescription, error) { return p.viewer.CreateOffer(nil) })
	if err := p.gw.SetRemoteDescription(offer); err != nil {
		t.Fatal(err)
	}
	var err error
	p.track, err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "seam")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.gw.AddTrack(p.track); err != nil {
		t.Fatal(err)
	}
	answer := gathered(t, p.gw, func() (webrtc.SessionDescription, error) { return p.gw.CreateAnswer(nil) })
	if err := p.viewer.SetRemoteDescription(answer); err != nil {
		t.Fatal(err)
	}
}

// gathered creates an offer or answer, sets it and waits for ICE gathering.
func gathered(t *testing.T, pc *webrtc.PeerConnection, create func() (webrtc.SessionDescription, error)) webrtc.SessionDescription {
	t.Helper()
	var desc webrtc.SessionDescription
	var err error
	if desc, err = create(); err != nil {
		t.Fatal(err)
	}
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(desc); err != nil {
		t.Fatal(err)
	}
	<-done
	return *pc.LocalDescription()
}

// sendUntilTrack writes VP8 packets through pion until the viewer's
// OnTrack fires and it reads one; it returns that track and the next
// sequence number pion has not used.
func (p *pair) sendUntilTrack(t *testing.T) (*webrtc.TrackRemote, uint16) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	seq := uint16(1000)
	for {
		select {
		case tr := <-p.remote:
			return tr, seq
		case <-tick.C:
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 3000, Marker: true},
				Payload: []byte{0x10, 0x00, 0x9d, 0x01, 0x2a}}
			if err := p.track.WriteRTP(pkt); err != nil {
				t.Fatal(err)
			}
			seq++
		case <-ctx.Done():
			t.Fatal("viewer saw no track")
		}
	}
}
