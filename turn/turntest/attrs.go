package turntest

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/pion/stun/v4"
)

// magicCookie is STUN's fixed cookie (RFC 8489 §5).
const magicCookie = 0x2112A442

// protoUDP is the REQUESTED-TRANSPORT value for UDP (RFC 8656 §18.7).
const protoUDP = 17

// xorAddr is an XOR-PEER-ADDRESS (RFC 8656 §18.3) that keeps the family
// of its address: an IPv4-mapped IPv6 address is sent as family IPv6,
// where pion's own encoder would turn it into IPv4.
type xorAddr struct {
	typ  stun.AttrType
	addr netip.AddrPort
}

// AddTo implements stun.Setter (RFC 8489 §14.2).
func (a xorAddr) AddTo(m *stun.Message) error {
	ip := a.addr.Addr()
	family, raw := byte(0x01), ip.AsSlice()
	if !ip.Is4() {
		b := ip.As16()
		family, raw = 0x02, b[:]
	}
	v := make([]byte, 4+len(raw))
	v[1] = family
	binary.BigEndian.PutUint16(v[2:4], a.addr.Port()^magicCookie>>16)
	var pad [16]byte
	binary.BigEndian.PutUint32(pad[0:4], magicCookie)
	copy(pad[4:], m.TransactionID[:])
	for i := range raw {
		v[4+i] = raw[i] ^ pad[i]
	}
	m.Add(a.typ, v)
	return nil
}

// getXORAddr reads an XOR address attribute of m.
func getXORAddr(m *stun.Message, t stun.AttrType) (netip.AddrPort, error) {
	var a stun.XORMappedAddress
	if err := a.GetFromAs(m, t); err != nil {
		return netip.AddrPort{}, err
	}
	ip, ok := netip.AddrFromSlice(a.IP)
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("turntest: bad address in %v", t)
	}
	return netip.AddrPortFrom(ip.Unmap(), uint16(a.Port)), nil
}

// raw adds an attribute with a fixed value.
type raw struct {
	typ stun.AttrType
	v   []byte
}

// AddTo implements stun.Setter.
func (r raw) AddTo(m *stun.Message) error {
	m.Add(r.typ, r.v)
	return nil
}

// requestedTransportUDP is REQUESTED-TRANSPORT: UDP.
var requestedTransportUDP = raw{stun.AttrRequestedTransport, []byte{protoUDP, 0, 0, 0}}

// lifetime is a LIFETIME attribute (RFC 8656 §18.2) in seconds.
func lifetime(seconds uint32) raw {
	return raw{stun.AttrLifetime, binary.BigEndian.AppendUint32(nil, seconds)}
}

// channelNumber is a CHANNEL-NUMBER attribute (RFC 8656 §18.1).
func channelNumber(ch uint16) raw {
	return raw{stun.AttrChannelNumber, []byte{byte(ch >> 8), byte(ch), 0, 0}}
}

// ErrorCode is an error response's ERROR-CODE (RFC 8489 §14.8).
type ErrorCode struct {
	Method stun.Method
	Code   int
	Reason string
	// Signed reports that the response carried a MESSAGE-INTEGRITY that
	// the client verified with its long-term key (RFC 8489 §9.2.5).
	Signed bool
}

// Error implements error.
func (e *ErrorCode) Error() string {
	return fmt.Sprintf("turntest: %v error %d %s", e.Method, e.Code, e.Reason)
}
