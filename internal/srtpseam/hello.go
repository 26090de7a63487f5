package srtpseam

import (
	"encoding/binary"

	"github.com/pion/dtls/v3/pkg/protocol/extension"
	"github.com/pion/dtls/v3/pkg/protocol/handshake"
)

// DTLS 1.2 framing (RFC 6347 §4.1 and §4.2.2).
const (
	recordHeaderLen    = 13
	handshakeHeaderLen = 12
	contentHandshake   = 22
	helloRandomOffset  = 2 // after the two version bytes
)

// hello is what a DTLS ClientHello or ServerHello says in the clear.
type hello struct {
	server  bool // a ServerHello; else a ClientHello
	random  [randomLen]byte
	suite   uint16 // ServerHello only: the chosen cipher suite
	profile uint16 // ServerHello only: the chosen SRTP profile (RFC 5764 §4.1.1)
	ems     bool   // ServerHello only: extended master secret (RFC 7627 §5.2)
}

// isDTLS reports whether a datagram on the shared socket is DTLS by its
// first byte (RFC 7983 §7: 20..63), and an epoch-0 handshake record, the
// only records that carry hellos.
func isDTLSHandshake(b []byte) bool {
	return len(b) >= recordHeaderLen && b[0] == contentHandshake && b[3] == 0 && b[4] == 0
}

// parseHellos returns the hellos in one datagram: every epoch-0 handshake
// record, every whole (unfragmented) handshake message in it.
func parseHellos(b []byte) []hello {
	var out []hello
	for isDTLSHandshake(b) {
		n := int(binary.BigEndian.Uint16(b[11:13]))
		if len(b) < recordHeaderLen+n {
			break
		}
		out = appendRecordHellos(out, b[recordHeaderLen:recordHeaderLen+n])
		b = b[recordHeaderLen+n:]
	}
	return out
}

func appendRecordHellos(out []hello, rec []byte) []hello {
	for len(rec) >= handshakeHeaderLen {
		typ := handshake.Type(rec[0])
		length := be24(rec[1:4])
		off, fragLen := be24(rec[6:9]), be24(rec[9:12])
		if len(rec) < handshakeHeaderLen+fragLen {
			break
		}
		body := rec[handshakeHeaderLen : handshakeHeaderLen+fragLen]
		if off == 0 && fragLen == length {
			if h, ok := parseHello(typ, body); ok {
				out = append(out, h)
			}
		}
		rec = rec[handshakeHeaderLen+fragLen:]
	}
	return out
}

func parseHello(typ handshake.Type, body []byte) (hello, bool) {
	var h hello
	switch typ {
	case handshake.TypeClientHello:
		if len(body) < helloRandomOffset+randomLen {
			return h, false
		}
		copy(h.random[:], body[helloRandomOffset:])
		return h, true
	case handshake.TypeServerHello:
		var m handshake.MessageServerHello
		if m.Unmarshal(body) != nil || m.CipherSuiteID == nil {
			return h, false
		}
		h.server, h.random, h.suite = true, m.Random.MarshalFixed(), *m.CipherSuiteID
		for _, e := range m.Extensions {
			switch e := e.(type) {
			case *extension.UseSRTP:
				if len(e.ProtectionProfiles) == 1 {
					h.profile = uint16(e.ProtectionProfiles[0])
				}
			case *extension.UseExtendedMasterSecret:
				h.ems = true
			}
		}
		return h, true
	default:
		return h, false
	}
}

func be24(b []byte) int {
	return int(b[0])<<16 | int(b[1])<<8 | int(b[2])
}
