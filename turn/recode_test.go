package turn

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/stun/v4"

	"mediagate.dev/mediagate/turn/turntest"
)

// signedCode returns the code of an error response and whether the client
// verified its MESSAGE-INTEGRITY with its long-term key.
func signedCode(err error) (int, bool) {
	var ec *turntest.ErrorCode
	if errors.As(err, &ec) {
		return ec.Code, ec.Signed
	}
	return 0, false
}

// TestRefusedPeerForbidden asks, over each transport, for a permission and
// a channel toward peers the policy refuses: both are answered 403
// Forbidden (RFC 8656 §10.2, §12.2), signed with the client's key, never
// 401, which would say the credentials are wrong. The allocation keeps
// working: a channel toward the ICE socket is bound afterwards.
func TestRefusedPeerForbidden(t *testing.T) {
	r := newRig(t, nil)
	refused := []string{"192.0.2.1:80", "10.1.2.3:5000", "127.0.0.2:80", "169.254.169.254:80"}
	for _, transport := range []string{"udp", "tcp", "tls"} {
		t.Run(transport, func(t *testing.T) {
			c, _ := r.allocate(t, transport, "refused-"+transport)
			for i, peer := range refused {
				p := netip.MustParseAddrPort(peer)
				if code, signed := signedCode(c.CreatePermission(p)); code != 403 || !signed {
					t.Errorf("CreatePermission(%s): %d (signed %v), want a signed 403", peer, code, signed)
				}
				err := c.ChannelBind(0x4000+uint16(i), p)
				if code, signed := signedCode(err); code != 403 || !signed {
					t.Errorf("ChannelBind(%s): %v (signed %v), want a signed 403", peer, err, signed)
				}
			}
			if err := c.ChannelBind(0x4100, r.iceAddr()); err != nil {
				t.Errorf("ChannelBind toward the ICE socket after the refusals: %v", err)
			}
		})
	}
	// Two requests per peer over three transports, two peers per reason.
	for _, reason := range []string{refuseNotAllowed, refuseSpecial} {
		if got := r.metric(t, "mediagate_turn_permissions_refused_total", map[string]string{"reason": reason}); got != 12 {
			t.Errorf("permissions refused as %s: %v, want 12", reason, got)
		}
	}
}

// TestTCPRelayUnsupported asks, over each transport, for an RFC 6062 TCP
// allocation (REQUESTED-TRANSPORT 6): it is answered 442 Unsupported
// Transport Protocol (RFC 8656 §7.2), signed, not 508; the client then
// gets a UDP allocation on the same connection.
func TestTCPRelayUnsupported(t *testing.T) {
	r := newRig(t, nil)
	for _, transport := range []string{"udp", "tcp", "tls"} {
		t.Run(transport, func(t *testing.T) {
			c := r.dial(t, transport)
			cr := r.srv.Mint("tcp-relay-" + transport)
			_, err := c.AllocateTCP(cr.Username, cr.Password)
			if code, signed := signedCode(err); code != 442 || !signed {
				t.Fatalf("TCP allocation: %v (signed %v), want a signed 442", err, signed)
			}
			if _, err := c.Allocate(cr.Username, cr.Password); err != nil {
				t.Errorf("UDP allocation after the refused TCP one: %v", err)
			}
		})
	}
	if got := r.metric(t, "mediagate_turn_allocations_refused_total", map[string]string{"reason": "tcp_relay"}); got != 3 {
		t.Errorf("tcp_relay refusals: %v, want 3", got)
	}
}

// TestRecoderRewritesOnlyPionsWrongAnswer feeds the recoder a ChannelBind
// toward a refused peer and candidate answers: only the 401 of that
// transaction signed with the user's key becomes a 403, signed again with
// that key and with a valid FINGERPRINT; an unsigned 401 (the credentials
// were wrong), one signed with another key, another code and another
// transaction pass unchanged.
func TestRecoderRewritesOnlyPionsWrongAnswer(t *testing.T) {
	a := &authenticator{secret: testSecret, realm: testRealm, maxTTL: time.Hour, now: time.Now}
	rec := &recoder{rules: &recodeRules{pol: compilePolicy(Policy{}), keys: a.lookup}}
	cr := Mint(testSecret, "u", time.Hour, time.Now())
	key := stun.NewLongTermIntegrity(cr.Username, testRealm, cr.Password)
	req := stun.MustBuild(stun.TransactionID, stun.NewType(stun.MethodChannelBind, stun.ClassRequest),
		stun.NewUsername(cr.Username), peerAddr{net.IPv4(192, 0, 2, 1), 80}, key)
	answer := func(tx [stun.TransactionIDSize]byte, code stun.ErrorCode, setters ...stun.Setter) []byte {
		s := append([]stun.Setter{stun.NewTransactionIDSetter(tx), stun.NewType(stun.MethodChannelBind, stun.ClassErrorResponse),
			&stun.ErrorCodeAttribute{Code: code}}, setters...)
		return stun.MustBuild(s...).Raw
	}
	other := stun.NewLongTermIntegrity(cr.Username, testRealm, "not-the-password")
	unchanged := map[string][]byte{
		"unsigned 401":           answer(req.TransactionID, stun.CodeUnauthorized),
		"401 signed by another":  answer(req.TransactionID, stun.CodeUnauthorized, other),
		"443":                    answer(req.TransactionID, stun.CodePeerAddrFamilyMismatch, key),
		"401 of another request": answer([stun.TransactionIDSize]byte{1}, stun.CodeUnauthorized, key),
	}
	for name, b := range unchanged {
		rec.inbound(req.Raw)
		if got := rec.outbound(b); !bytes.Equal(got, b) {
			t.Errorf("%s: rewritten", name)
		}
	}
	rec.inbound(req.Raw)
	got := rec.outbound(answer(req.TransactionID, stun.CodeUnauthorized, key, stun.Fingerprint))
	m := &stun.Message{Raw: got}
	var code stun.ErrorCodeAttribute
	if err := m.Decode(); err != nil || code.GetFrom(m) != nil || code.Code != stun.CodeForbidden {
		t.Fatalf("pion's 401: got %v (%v), want 403", code.Code, err)
	}
	if err := key.Check(m); err != nil {
		t.Errorf("MESSAGE-INTEGRITY: %v", err)
	}
	if err := stun.Fingerprint.Check(m); err != nil {
		t.Errorf("FINGERPRINT: %v", err)
	}
	if len(rec.noted) != 0 {
		t.Errorf("%d requests still noted", len(rec.noted))
	}
}

// peerAddr is an XOR-PEER-ADDRESS.
type peerAddr struct {
	ip   net.IP
	port int
}

// AddTo implements stun.Setter.
func (p peerAddr) AddTo(m *stun.Message) error {
	return (&stun.XORMappedAddress{IP: p.ip, Port: p.port}).AddToAs(m, stun.AttrXORPeerAddress)
}
