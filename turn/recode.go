package turn

import (
	"sync"

	"github.com/pion/stun/v4"
)

// Two answers pion/turn v5 gets wrong, corrected on their way out of the
// listening sockets' wrappers (udpGuard, frameConn):
//
//   - a ChannelBind toward a peer the policy refuses must be answered 403
//     Forbidden (RFC 8656 §12.2, as pion already does for CreatePermission,
//     §10.2); pion answers 401 Unauthorized, which tells the client its
//     credentials are wrong;
//   - an Allocate with REQUESTED-TRANSPORT TCP (RFC 6062, not offered here)
//     must be answered 442 Unsupported Transport Protocol (RFC 8656 §7.2);
//     pion asks the relay generator for a TCP listener, which refuses, and
//     answers 508 Insufficient Capacity.
//
// pion keeps deciding everything, in its order (authentication, nonce,
// allocation, family): the inbound side notes the transaction of such a
// request, and the outbound side rewrites only the error response pion
// sends for it, with the code pion gets wrong, signed with the request's
// long-term key. The response is signed again with that key (checked
// against pion's MESSAGE-INTEGRITY first) and keeps its FINGERPRINT.
// Only Allocate and ChannelBind requests and their error responses are
// looked at beyond their first two bytes: data, ChannelData and every
// other message pass untouched.

// STUN message types (RFC 8489 §5) the recoder looks at.
const (
	typeAllocateRequest    = 0x0003
	typeChannelBindRequest = 0x0009
	typeAllocateError      = 0x0113
	typeChannelBindError   = 0x0119
)

// protoTCP is REQUESTED-TRANSPORT's value for TCP (RFC 6062 §6.1).
const protoTCP = 6

// recodeWindow bounds the requests a connection's recoder remembers: pion
// answers each before it reads the next on UDP; over TCP a few may be
// framed ahead of pion's reading.
const recodeWindow = 8

// recodeRules are a server's: its policy and its credentials.
type recodeRules struct {
	pol  *policy
	keys func(username string) (userID string, key []byte, why string)
}

// recoding is one noted request: its transaction and the code its error
// response must have instead of the one pion gives.
type recoding struct {
	tx       [stun.TransactionIDSize]byte
	from, to stun.ErrorCode
	user     string
}

// recoder corrects the answers of one client connection (for UDP, of one
// listening socket). Its methods may be called from several goroutines.
type recoder struct {
	rules *recodeRules
	mu    sync.Mutex
	noted []recoding // oldest first, at most recodeWindow
}

// messageType returns the STUN message type of b, or 0xFFFF when b is too
// short to be a STUN message.
func messageType(b []byte) uint16 {
	if len(b) < stunHeaderLen {
		return 0xFFFF
	}
	return uint16(b[0])<<8 | uint16(b[1])
}

// inbound notes b when it is a request whose error response pion gets
// wrong. b is a whole message on its way to pion.
func (r *recoder) inbound(b []byte) {
	if r == nil || r.rules == nil {
		return
	}
	typ := messageType(b)
	if typ != typeAllocateRequest && typ != typeChannelBindRequest {
		return
	}
	m := &stun.Message{Raw: append([]byte(nil), b...)}
	if m.Decode() != nil {
		return
	}
	var user stun.Username
	if user.GetFrom(m) != nil {
		return // unauthenticated: pion answers 401 with a nonce, rightly
	}
	rc := recoding{tx: m.TransactionID, user: user.String()}
	switch {
	case typ == typeAllocateRequest && requestsTCP(m):
		rc.from, rc.to = stun.CodeInsufficientCapacity, stun.CodeUnsupportedTransProto
	case typ == typeChannelBindRequest && r.rules.refusesPeer(m):
		rc.from, rc.to = stun.CodeUnauthorized, stun.CodeForbidden
	default:
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.noted {
		if n.tx == rc.tx {
			return // a retransmission
		}
	}
	if len(r.noted) == recodeWindow {
		r.noted = append(r.noted[:0], r.noted[1:]...)
	}
	r.noted = append(r.noted, rc)
}

// requestsTCP reports whether an Allocate asks for REQUESTED-TRANSPORT TCP.
func requestsTCP(m *stun.Message) bool {
	v, err := m.Get(stun.AttrRequestedTransport)
	return err == nil && len(v) == 4 && v[0] == protoTCP
}

// refusesPeer reports whether the policy refuses a ChannelBind's
// XOR-PEER-ADDRESS.
func (rr *recodeRules) refusesPeer(m *stun.Message) bool {
	var peer stun.XORMappedAddress
	if peer.GetFromAs(m, stun.AttrXORPeerAddress) != nil {
		return false
	}
	return rr.pol.permit(addrFromIP(peer.IP)) != ""
}

// outbound returns b, or the corrected answer when b is the error response
// to a noted request with the code pion gets wrong. b is a whole message
// pion sends to the client.
func (r *recoder) outbound(b []byte) []byte {
	if r == nil || r.rules == nil {
		return b
	}
	if typ := messageType(b); typ != typeAllocateError && typ != typeChannelBindError {
		return b
	}
	m := &stun.Message{Raw: append([]byte(nil), b...)}
	if m.Decode() != nil {
		return b
	}
	rc, ok := r.take(m.TransactionID)
	if !ok {
		return b
	}
	if fixed, ok := r.rules.recode(m, rc); ok {
		return fixed
	}
	return b
}

// take removes and returns the noted request of transaction tx.
func (r *recoder) take(tx [stun.TransactionIDSize]byte) (recoding, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, rc := range r.noted {
		if rc.tx == tx {
			r.noted = append(r.noted[:i], r.noted[i+1:]...)
			return rc, true
		}
	}
	return recoding{}, false
}

// recode rebuilds error response m with rc's code, when m has the code
// pion gets wrong and is signed with the key of rc's user.
func (rr *recodeRules) recode(m *stun.Message, rc recoding) ([]byte, bool) {
	var code stun.ErrorCodeAttribute
	if code.GetFrom(m) != nil || code.Code != rc.from {
		return nil, false
	}
	_, key, why := rr.keys(rc.user)
	if why != "" || stun.MessageIntegrity(key).Check(m) != nil {
		return nil, false // not signed by pion with this user's key
	}
	out := &stun.Message{TransactionID: m.TransactionID}
	out.SetType(m.Type)
	out.WriteHeader()
	for _, a := range m.Attributes {
		switch a.Type {
		case stun.AttrErrorCode:
			if rc.to.AddTo(out) != nil {
				return nil, false
			}
		case stun.AttrMessageIntegrity, stun.AttrMessageIntegritySHA256, stun.AttrFingerprint:
		default:
			out.Add(a.Type, a.Value)
		}
	}
	if stun.MessageIntegrity(key).AddTo(out) != nil {
		return nil, false
	}
	if m.Contains(stun.AttrFingerprint) && stun.Fingerprint.AddTo(out) != nil {
		return nil, false
	}
	return out.Raw, true
}
