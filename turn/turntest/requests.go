package turntest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/stun/v4"
)

// Binding sends an unauthenticated Binding request (RFC 8489 §3) and
// returns the reflexive address.
func (c *Client) Binding() (netip.AddrPort, error) {
	res, err := c.transact(stun.MethodBinding, false)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return getXORAddr(res, stun.AttrXORMappedAddress)
}

// Allocate creates a UDP allocation with the long-term credentials (RFC
// 8656 §7.1): a first request without them, answered 401 with the realm
// and a nonce, then the authenticated one. It returns the relayed address.
func (c *Client) Allocate(user, pass string) (netip.AddrPort, error) {
	c.user, c.pass = user, pass
	res, err := c.transact(stun.MethodAllocate, false, requestedTransportUDP)
	var ec *ErrorCode
	if errors.As(err, &ec) && ec.Code == 401 && c.nonce != "" {
		res, err = c.transact(stun.MethodAllocate, true, requestedTransportUDP)
	}
	if err != nil {
		return netip.AddrPort{}, err
	}
	return getXORAddr(res, stun.AttrXORRelayedAddress)
}

// CreatePermission installs permissions toward peers (RFC 8656 §9.1); only
// their addresses matter.
func (c *Client) CreatePermission(peers ...netip.AddrPort) error {
	attrs := make([]stun.Setter, len(peers))
	for i, p := range peers {
		attrs[i] = xorAddr{stun.AttrXORPeerAddress, p}
	}
	_, err := c.transact(stun.MethodCreatePermission, true, attrs...)
	return err
}

// ChannelBind binds channel ch (0x4000-0x4FFF) to peer (RFC 8656 §12.1).
func (c *Client) ChannelBind(ch uint16, peer netip.AddrPort) error {
	_, err := c.transact(stun.MethodChannelBind, true, channelNumber(ch), xorAddr{stun.AttrXORPeerAddress, peer})
	return err
}

// Refresh refreshes the allocation for seconds, or deletes it with 0
// (RFC 8656 §8).
func (c *Client) Refresh(seconds uint32) error {
	_, err := c.transact(stun.MethodRefresh, true, lifetime(seconds))
	return err
}

// Send relays data to peer in a Send indication (RFC 8656 §11.1).
func (c *Client) Send(peer netip.AddrPort, data []byte) error {
	m, err := stun.Build(stun.TransactionID, stun.NewType(stun.MethodSend, stun.ClassIndication),
		xorAddr{stun.AttrXORPeerAddress, peer}, raw{stun.AttrData, data})
	if err != nil {
		return err
	}
	return c.WriteRaw(m.Raw)
}

// SendChannel relays data on a bound channel (RFC 8656 §12.4), padded to
// four bytes over TCP and TLS (§12.5).
func (c *Client) SendChannel(ch uint16, data []byte) error {
	return c.WriteRaw(ChannelData(ch, data, c.stream))
}

// ChannelData encodes a ChannelData message, padded when pad is set.
func ChannelData(ch uint16, data []byte, pad bool) []byte {
	n := len(data)
	if pad {
		n = (n + 3) &^ 3
	}
	b := make([]byte, 4+n)
	binary.BigEndian.PutUint16(b[0:2], ch)
	binary.BigEndian.PutUint16(b[2:4], uint16(len(data)))
	copy(b[4:], data)
	return b
}

// Recv returns the next datagram relayed from a peer, waiting up to wait.
func (c *Client) Recv(wait time.Duration) (Data, error) {
	deadline := time.Now().Add(wait)
	for len(c.inbox) == 0 {
		f, err := c.readFrame(deadline)
		if err != nil {
			return Data{}, err
		}
		c.keep(f)
	}
	d := c.inbox[0]
	c.inbox = c.inbox[1:]
	return d, nil
}

// keep queues a frame that carries relayed data, and ignores the rest.
func (c *Client) keep(f []byte) {
	if len(f) >= 4 && f[0]&0xC0 == 0x40 {
		n := int(binary.BigEndian.Uint16(f[2:4]))
		if 4+n <= len(f) {
			c.inbox = append(c.inbox, Data{Channel: binary.BigEndian.Uint16(f[0:2]),
				Payload: append([]byte(nil), f[4:4+n]...)})
		}
		return
	}
	m := &stun.Message{Raw: append([]byte(nil), f...)}
	if m.Decode() != nil || m.Type != stun.NewType(stun.MethodData, stun.ClassIndication) {
		return
	}
	peer, _ := getXORAddr(m, stun.AttrXORPeerAddress)
	data, _ := m.Get(stun.AttrData)
	c.inbox = append(c.inbox, Data{Peer: peer.String(), Payload: data})
}

// transact sends one request and waits for its response, queueing relayed
// data that arrives meanwhile. With auth it signs the request with the
// long-term credentials, and repeats it once with the new nonce after a
// 438 Stale Nonce (RFC 8489 §9.2.5). An error response is returned as
// *ErrorCode; its nonce and realm are kept for the next request.
func (c *Client) transact(method stun.Method, auth bool, attrs ...stun.Setter) (*stun.Message, error) {
	m, err := c.transactOnce(method, auth, attrs...)
	var ec *ErrorCode
	if auth && errors.As(err, &ec) && ec.Code == 438 {
		m, err = c.transactOnce(method, auth, attrs...)
	}
	return m, err
}

func (c *Client) transactOnce(method stun.Method, auth bool, attrs ...stun.Setter) (*stun.Message, error) {
	setters := append([]stun.Setter{stun.TransactionID, stun.NewType(method, stun.ClassRequest)}, attrs...)
	var key stun.MessageIntegrity
	if auth {
		key = stun.NewLongTermIntegrity(c.user, c.realm, c.pass)
		setters = append(setters, stun.NewUsername(c.user), stun.NewRealm(c.realm), stun.NewNonce(c.nonce), key)
	}
	req, err := stun.Build(append(setters, stun.Fingerprint)...)
	if err != nil {
		return nil, err
	}
	if err := c.WriteRaw(req.Raw); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(c.Timeout)
	for {
		f, err := c.readFrame(deadline)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", method, err)
		}
		m := &stun.Message{Raw: append([]byte(nil), f...)}
		if m.Decode() != nil || m.TransactionID != req.TransactionID {
			c.keep(f)
			continue
		}
		signed, err := verify(m, key)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", method, err)
		}
		return c.response(method, m, signed)
	}
}

// verify checks a response's FINGERPRINT (RFC 8489 §14.7) and, when it
// has one and the request was signed with key, its MESSAGE-INTEGRITY
// (§9.2.5); signed reports the latter passed.
func verify(m *stun.Message, key stun.MessageIntegrity) (signed bool, err error) {
	if m.Contains(stun.AttrFingerprint) {
		if err := stun.Fingerprint.Check(m); err != nil {
			return false, fmt.Errorf("%w: FINGERPRINT: %v", ErrIntegrity, err)
		}
	}
	if key == nil || !m.Contains(stun.AttrMessageIntegrity) {
		return false, nil
	}
	if err := key.Check(m); err != nil {
		return false, fmt.Errorf("%w: MESSAGE-INTEGRITY: %v", ErrIntegrity, err)
	}
	return true, nil
}

// response turns an error response into *ErrorCode, keeping its nonce.
func (c *Client) response(method stun.Method, m *stun.Message, signed bool) (*stun.Message, error) {
	if m.Type.Class != stun.ClassErrorResponse {
		return m, nil
	}
	var nonce stun.Nonce
	if nonce.GetFrom(m) == nil {
		c.nonce = nonce.String()
	}
	var realm stun.Realm
	if realm.GetFrom(m) == nil {
		c.realm = realm.String()
	}
	var code stun.ErrorCodeAttribute
	if err := code.GetFrom(m); err != nil {
		return nil, &ErrorCode{Method: method, Code: 0, Reason: "no ERROR-CODE"}
	}
	return nil, &ErrorCode{Method: method, Code: int(code.Code), Reason: string(code.Reason), Signed: signed}
}

// AllocateTCP asks for an RFC 6062 TCP allocation (REQUESTED-TRANSPORT
// TCP), which mediagate refuses.
func (c *Client) AllocateTCP(user, pass string) (netip.AddrPort, error) {
	c.user, c.pass = user, pass
	tcp := raw{stun.AttrRequestedTransport, []byte{6, 0, 0, 0}}
	res, err := c.transact(stun.MethodAllocate, false, tcp)
	var ec *ErrorCode
	if errors.As(err, &ec) && ec.Code == 401 && c.nonce != "" {
		res, err = c.transact(stun.MethodAllocate, true, tcp)
	}
	if err != nil {
		return netip.AddrPort{}, err
	}
	return getXORAddr(res, stun.AttrXORRelayedAddress)
}
