package sendersdp

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
)

// writer builds SDP text line by line, CRLF-terminated (RFC 4566 §5).
type writer struct{ b strings.Builder }

func (w *writer) line(format string, args ...any) {
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteString("\r\n")
}

// session writes the session-level lines for a description advertising
// addr (RFC 4566 §5.1-§5.9).
func (w *writer) session(name string, addr netip.Addr) {
	family := "IP4"
	if addr.Is6() {
		family = "IP6"
	}
	w.line("v=0")
	w.line("o=mediagate %d 1 IN %s %s", rand.Int64N(1<<62), family, addr)
	w.line("s=%s", name)
	w.line("c=IN %s %s", family, addr)
	w.line("t=0 0")
}

// receiving writes the attributes that tell the sender where RTCP goes and
// that the gateway only receives: a=rtcp (RFC 3605 §2.1) and, when RTCP
// shares the RTP port, a=rtcp-mux (RFC 5761 §5.1.1).
func (w *writer) receiving(rtpPort, rtcpPort int) {
	if rtcpPort == 0 || rtcpPort == rtpPort {
		w.line("a=rtcp:%d", rtpPort)
		w.line("a=rtcp-mux")
	} else {
		w.line("a=rtcp:%d", rtcpPort)
	}
	w.line("a=recvonly")
}

// advertisable reports whether a sender can send to addr.
func advertisable(addr netip.Addr) bool {
	return addr.IsValid() && !addr.IsUnspecified() && !addr.IsMulticast()
}

// Endpoint is where the gateway receives a stream: the address it
// advertises and the UDP port, which carries RTP and RTCP.
type Endpoint struct {
	Addr netip.Addr
	Port int
}

// Answer writes the gateway's answer (RFC 3264 §6): the accepted m-lines
// at ep with the offered transport, payload type, rtpmap and fmtp, and
// for SRTP an a=crypto line echoing the chosen tag with key, the
// gateway's own key for the chosen suite; every other m-line rejected
// with port 0. key must be nil when the offer is plain RTP.
func (n *Negotiation) Answer(ep Endpoint, key []byte) (string, error) {
	if !advertisable(ep.Addr) {
		return "", fmt.Errorf("%w: %v", ErrNoAddress, ep.Addr)
	}
	if err := n.checkKey(key); err != nil {
		return "", err
	}
	var w writer
	w.session("mediagate", ep.Addr.Unmap())
	for _, l := range n.lines {
		if !l.ok {
			w.line("m=%s 0 %s %s", l.media, l.proto, strings.Join(l.formats, " "))
			continue
		}
		w.line("m=%s %d %s %d", l.media, ep.Port, l.proto, l.format.pt)
		if l.format.rtpmap != "" {
			w.line("a=rtpmap:%d %s", l.format.pt, l.format.rtpmap)
		}
		if l.format.fmtp != "" {
			w.line("a=fmtp:%d %s", l.format.pt, l.format.fmtp)
		}
		w.receiving(ep.Port, 0)
		if n.Crypto != nil {
			w.line("a=crypto:%s", Crypto{Tag: l.tag, Suite: n.Crypto.Suite, Key: key}.Attribute())
		}
	}
	return w.b.String(), nil
}

// checkKey checks that key suits the negotiated crypto.
func (n *Negotiation) checkKey(key []byte) error {
	if n.Crypto == nil {
		if key != nil {
			return fmt.Errorf("%w: a key for a plain RTP offer", ErrSuite)
		}
		return nil
	}
	want, err := KeyLen(n.Crypto.Suite)
	if err != nil {
		return err
	}
	if len(key) != want {
		return fmt.Errorf("%w: %s needs a %d-byte key, got %d", ErrSuite, n.Crypto.Suite, want, len(key))
	}
	return nil
}
