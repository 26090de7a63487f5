package turn

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/pion/stun/v4"
)

// authMethods are the methods FuzzAuthenticated sends: every TURN method of
// RFC 8656 and Binding.
var authMethods = []stun.Method{stun.MethodAllocate, stun.MethodRefresh, stun.MethodCreatePermission,
	stun.MethodChannelBind, stun.MethodSend, stun.MethodData, stun.MethodBinding}

// authClient is one UDP client of a rig that holds a nonce, so that what
// it sends passes the long-term credential check (RFC 8489 §9.2) and
// reaches the server's handling after authentication.
type authClient struct {
	conn  *net.UDPConn
	user  string
	key   []byte
	realm stun.Realm
	nonce stun.Nonce
}

// newAuthClient mints credentials and asks for a nonce with an Allocate
// without credentials (answered 401 with REALM and NONCE).
func newAuthClient(t testing.TB, r *rig) *authClient {
	t.Helper()
	srv, err := net.ResolveUDPAddr("udp4", r.addr("udp"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp4", nil, srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	cred := Mint(testSecret, "fuzz", time.Hour, time.Now())
	c := &authClient{conn: conn, user: cred.Username, key: LongTermKey(cred.Username, testRealm, cred.Password)}
	req := stunMsg(t, stun.NewType(stun.MethodAllocate, stun.ClassRequest), stun.RawAttribute{
		Type: stun.AttrRequestedTransport, Value: []byte{17, 0, 0, 0}})
	if _, err := conn.Write(req); err != nil {
		t.Fatal(err)
	}
	resp := c.read(t, time.Second)
	if resp == nil {
		t.Fatal("no answer to an Allocate without credentials")
	}
	if err := c.nonce.GetFrom(resp); err != nil {
		t.Fatalf("401 without a nonce: %v", err)
	}
	if err := c.realm.GetFrom(resp); err != nil {
		t.Fatalf("401 without a realm: %v", err)
	}
	return c
}

// read returns the next message within wait, or nil.
func (c *authClient) read(t testing.TB, wait time.Duration) *stun.Message {
	t.Helper()
	buf := make([]byte, 1500)
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	n, err := c.conn.Read(buf)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil
	}
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	m := &stun.Message{Raw: buf[:n]}
	if m.Decode() != nil {
		return nil // ChannelData
	}
	return m
}

// signed builds a message of method and class whose attributes are attrs
// (type, one length byte, value; a short tail is dropped), then USERNAME,
// REALM, NONCE, MESSAGE-INTEGRITY with the client's key and FINGERPRINT.
func (c *authClient) signed(method stun.Method, class stun.MessageClass, attrs []byte) ([]byte, error) {
	m := stun.New()
	m.SetType(stun.NewType(method, class))
	if err := m.NewTransactionID(); err != nil {
		return nil, err
	}
	for len(attrs) >= 3 {
		n := min(int(attrs[2]), len(attrs)-3)
		m.Add(stun.AttrType(uint16(attrs[0])<<8|uint16(attrs[1])), attrs[3:3+n])
		attrs = attrs[3+n:]
	}
	m.WriteHeader()
	for _, s := range []stun.Setter{stun.NewUsername(c.user), c.realm, c.nonce, stun.MessageIntegrity(c.key), stun.Fingerprint} {
		if err := s.AddTo(m); err != nil {
			return nil, err
		}
	}
	return m.Raw, nil
}

// FuzzAuthenticated sends the TURN server requests and indications of any
// method with arbitrary attributes that pass authentication (a fresh
// nonce, the long-term key), so that pion's handling after authentication
// and mediagate's policy, quota and permission hooks see them: the
// process must not crash, and the server must still answer a Binding
// request after each input.
func FuzzAuthenticated(f *testing.F) {
	attr := func(t stun.AttrType, v ...byte) []byte {
		return append([]byte{byte(t >> 8), byte(t), byte(len(v))}, v...)
	}
	udp := attr(stun.AttrRequestedTransport, 17, 0, 0, 0)
	peer := attr(stun.AttrXORPeerAddress, 0, 1, 0x21^0x12, 0x34, 127^0x21, 0^0x12, 0^0xa4, 1^0x42)
	f.Add(byte(0), byte(0), udp) // Allocate
	f.Add(byte(0), byte(0), append(attr(stun.AttrRequestedTransport, 6, 0, 0, 0), attr(stun.AttrLifetime, 0, 0, 0, 1)...))
	f.Add(byte(1), byte(0), attr(stun.AttrLifetime, 0, 0, 0, 0))                          // Refresh
	f.Add(byte(2), byte(0), peer)                                                         // CreatePermission
	f.Add(byte(3), byte(0), append(attr(stun.AttrChannelNumber, 0x40, 0, 0, 0), peer...)) // ChannelBind
	f.Add(byte(4), byte(1), append(peer, attr(stun.AttrData, 1, 2, 3)...))                // Send indication
	f.Add(byte(6), byte(0), []byte{})                                                     // Binding

	// The server logs to nowhere: a fuzz target may not log through f.
	r := newRig(f, func(cfg *Config) { cfg.Log = slog.New(slog.DiscardHandler) })
	c := newAuthClient(f, r)
	f.Fuzz(func(t *testing.T, method, class byte, attrs []byte) {
		classes := []stun.MessageClass{stun.ClassRequest, stun.ClassIndication}
		b, err := c.signed(authMethods[int(method)%len(authMethods)], classes[int(class)%2], attrs)
		if err != nil {
			return
		}
		if _, err := c.conn.Write(b); err != nil {
			t.Fatal(err)
		}
		for c.read(t, time.Millisecond) != nil { // drain what answers arrived
		}
		if _, err := c.conn.Write(stunMsg(t, stun.BindingRequest)); err != nil {
			t.Fatal(err)
		}
		for {
			m := c.read(t, 2*time.Second)
			if m == nil {
				t.Fatal("the server no longer answers a Binding request")
			}
			if m.Type == stun.BindingSuccess {
				return
			}
		}
	})
}

// TestAuthClientAllocates checks FuzzAuthenticated's client: its signed
// Allocate succeeds, so the fuzzer's inputs do reach the handling after
// authentication.
func TestAuthClientAllocates(t *testing.T) {
	r := newRig(t, nil)
	c := newAuthClient(t, r)
	b, err := c.signed(stun.MethodAllocate, stun.ClassRequest, []byte{byte(stun.AttrRequestedTransport >> 8), byte(stun.AttrRequestedTransport), 4, 17, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.conn.Write(b); err != nil {
		t.Fatal(err)
	}
	m := c.read(t, 2*time.Second)
	if m == nil || m.Type != stun.NewType(stun.MethodAllocate, stun.ClassSuccessResponse) {
		var code stun.ErrorCodeAttribute
		if m != nil {
			_ = code.GetFrom(m)
		}
		t.Fatalf("signed Allocate answered %v %v", m, code)
	}
}
