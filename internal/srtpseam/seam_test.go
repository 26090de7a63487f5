package srtpseam

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/transport/v3/test"
	"github.com/pion/webrtc/v4"
)

// injected marks the payload the test protects and sends itself.
var injected = []byte("srtpseam: protected outside pion")

// seamCases covers both DTLS roles the gateway can take when it answers
// (pion's default for an answer is client, setup:active), an AEAD and an
// AES-CM profile, and extended master secret on and off.
var seamCases = []peerCase{
	{"client/gcm/ems", webrtc.DTLSRoleClient, dtls.SRTP_AEAD_AES_128_GCM, dtls.RequireExtendedMasterSecret},
	{"client/cm80/ems", webrtc.DTLSRoleClient, dtls.SRTP_AES128_CM_HMAC_SHA1_80, dtls.RequestExtendedMasterSecret},
	{"client/gcm/no-ems", webrtc.DTLSRoleClient, dtls.SRTP_AEAD_AES_128_GCM, dtls.DisableExtendedMasterSecret},
	{"server/gcm/ems", webrtc.DTLSRoleServer, dtls.SRTP_AEAD_AES_128_GCM, dtls.RequireExtendedMasterSecret},
	{"server/cm80/no-ems", webrtc.DTLSRoleServer, dtls.SRTP_AES128_CM_HMAC_SHA1_80, dtls.DisableExtendedMasterSecret},
}

// TestSeam derives the gateway's SRTP write keys through the seam, checks
// them against the bytes pion put on the wire, then protects a packet
// itself and sends it from the shared ICE socket to the viewer's selected
// remote address; the viewer's TrackRemote.ReadRTP must return it.
func TestSeam(t *testing.T) {
	defer test.CheckRoutines(t)()
	for _, pc := range seamCases {
		t.Run(pc.name, func(t *testing.T) { testSeam(t, pc) })
	}
}

func testSeam(t *testing.T, pc peerCase) {
	p := newPair(t, pc)
	remote, nextSeq := p.sendUntilTrack(t)

	cfg, hs, err := Keys(p.keyLog, p.socket.Conn)
	if err != nil {
		t.Fatal(err)
	}
	checkHandshake(t, p, pc, hs)
	checkAgainstWire(t, p, cfg)

	ssrc := uint32(p.gw.GetSenders()[0].GetParameters().Encodings[0].SSRC)
	pt := uint8(remote.PayloadType())
	sendInjected(t, p, cfg, ssrc, pt, nextSeq)
	expectInjected(t, remote, nextSeq)
}

// checkHandshake checks what the hellos said against pion's view: the role
// pion took, the profile it reports in its stats, and, in the server role,
// the ServerHello pion's hook saw.
func checkHandshake(t *testing.T, p *pair, pc peerCase, hs Handshake) {
	t.Helper()
	if want := pc.role == webrtc.DTLSRoleClient; hs.IsClient != want {
		t.Errorf("IsClient = %v, want %v", hs.IsClient, want)
	}
	if want := pc.ems != dtls.DisableExtendedMasterSecret; hs.ExtendedMasterSecret != want {
		t.Errorf("ExtendedMasterSecret = %v, want %v", hs.ExtendedMasterSecret, want)
	}
	profile, err := srtpProfile(hs.SRTPProfile)
	if err != nil {
		t.Fatal(err)
	}
	if got := transportStats(t, p.gw).SRTPCipher; got != profile.String() {
		t.Errorf("pion's SRTPCipher %q, hellos say %q", got, profile.String())
	}
	if pc.role != webrtc.DTLSRoleServer {
		return
	}
	select {
	case m := <-p.helloHook:
		if m.Random.MarshalFixed() != hs.ServerRandom {
			t.Error("ServerHello hook random differs from the one on the wire")
		}
	default:
		t.Error("ServerHello hook not called in the server role")
	}
}

func transportStats(t *testing.T, pc *webrtc.PeerConnection) webrtc.TransportStats {
	t.Helper()
	for _, s := range pc.GetStats() {
		if ts, ok := s.(webrtc.TransportStats); ok {
			return ts
		}
	}
	t.Fatal("no transport stats")
	return webrtc.TransportStats{}
}

// checkAgainstWire authenticates every SRTP packet pion sent with the
// derived write key, and re-protects the first one's plaintext with a fresh
// context: the bytes must equal pion's (SRTP is deterministic per key,
// SSRC and index).
func checkAgainstWire(t *testing.T, p *pair, cfg srtp.Config) {
	t.Helper()
	sent := p.socket.sent()
	if len(sent) == 0 {
		t.Fatal("pion sent no SRTP")
	}
	dec := newContext(t, cfg)
	var first []byte
	for i, pkt := range sent {
		plain, err := dec.DecryptRTP(nil, pkt, nil)
		if err != nil {
			t.Fatalf("packet %d of %d pion sent does not authenticate with the derived key: %v", i, len(sent), err)
		}
		if i == 0 {
			first = plain
		}
	}
	swapped := cfg
	swapped.Keys.LocalMasterKey, swapped.Keys.LocalMasterSalt = cfg.Keys.RemoteMasterKey, cfg.Keys.RemoteMasterSalt
	if _, err := newContext(t, swapped).DecryptRTP(nil, sent[0], nil); err == nil {
		t.Fatal("the viewer's write key authenticates the gateway's packet: the check proves nothing")
	}
	t.Logf("%d SRTP packets from pion authenticate with the derived %s write key", len(sent), cfg.Profile)
	again, err := newContext(t, cfg).EncryptRTP(nil, first, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, sent[0]) {
		t.Fatalf("re-protected packet differs from pion's:\n ours %x\npion's %x", again, sent[0])
	}
}

func newContext(t *testing.T, cfg srtp.Config) *srtp.Context {
	t.Helper()
	c, err := srtp.CreateContext(cfg.Keys.LocalMasterKey, cfg.Keys.LocalMasterSalt, cfg.Profile)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sendInjected protects one packet with the derived key (ROC 0: the stream
// is young) and sends it from the shared ICE socket, bypassing pion, to the
// remote address of the gateway's selected candidate pair.
func sendInjected(t *testing.T, p *pair, cfg srtp.Config, ssrc uint32, pt uint8, seq uint16) {
	t.Helper()
	pair, err := p.gw.GetSenders()[0].Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		t.Fatalf("selected pair: %v", err)
	}
	to := &net.UDPAddr{IP: net.ParseIP(pair.Remote.Address), Port: int(pair.Remote.Port)}
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, SSRC: ssrc,
		Timestamp: uint32(seq) * 3000, Marker: true}, Payload: injected}
	plain, err := pkt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	enc := newContext(t, cfg)
	out, err := enc.EncryptRTP(nil, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.socket.UDPConn.WriteToUDP(out, to); err != nil {
		t.Fatal(err)
	}
}

// expectInjected reads until the injected packet arrives; pion's last
// packets may still be queued ahead of it.
func expectInjected(t *testing.T, remote *webrtc.TrackRemote, seq uint16) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	go func() {
		<-ctx.Done()
		_ = remote.SetReadDeadline(time.Now())
	}()
	for {
		pkt, _, err := remote.ReadRTP()
		if err != nil {
			t.Fatalf("viewer never read the injected packet: %v", err)
		}
		if pkt.SequenceNumber == seq {
			if !bytes.Equal(pkt.Payload, injected) {
				t.Fatalf("payload %q, want %q", pkt.Payload, injected)
			}
			return
		}
	}
}
