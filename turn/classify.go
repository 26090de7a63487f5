package turn

import "encoding/binary"

// STUN wire constants (RFC 8489 §5, §14).
const (
	stunHeaderLen        = 20
	stunMagicCookie      = 0x2112A442
	attrMessageIntegrity = 0x0008 // RFC 8489 §14.5
	attrIntegritySHA256  = 0x001C // RFC 8489 §14.6
	stunClassMask        = 0x0110 // the C1 and C0 bits of the message type
)

// unauthenticated reports whether b is a STUN request (any method) that
// carries no MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 attribute: the
// requests anyone can make without credentials (Binding, and the first
// Allocate of the long-term mechanism, answered 401 with a nonce, RFC 8489
// §9.2.4). A malformed STUN request counts as one too. Responses,
// indications and ChannelData (RFC 8656 §12.4, first two bits 01) do not:
// they are only acted on for an existing allocation.
func unauthenticated(b []byte) bool {
	if len(b) < stunHeaderLen || b[0]&0xC0 != 0 ||
		binary.BigEndian.Uint32(b[4:8]) != stunMagicCookie {
		return false
	}
	if binary.BigEndian.Uint16(b[0:2])&stunClassMask != 0 {
		return false // not a request
	}
	length := int(binary.BigEndian.Uint16(b[2:4]))
	if length%4 != 0 || stunHeaderLen+length > len(b) {
		return true
	}
	attrs := b[stunHeaderLen : stunHeaderLen+length]
	for len(attrs) >= 4 {
		typ := binary.BigEndian.Uint16(attrs[0:2])
		n := (int(binary.BigEndian.Uint16(attrs[2:4])) + 3) &^ 3
		if 4+n > len(attrs) {
			return true
		}
		if typ == attrMessageIntegrity || typ == attrIntegritySHA256 {
			return false
		}
		attrs = attrs[4+n:]
	}
	return true
}
