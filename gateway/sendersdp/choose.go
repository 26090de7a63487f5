package sendersdp

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/pion/sdp/v3"
)

// parseCryptos parses the m-line's a=crypto attributes. A supported suite
// whose key has the wrong length makes the offer malformed.
func parseCryptos(m *sdp.MediaDescription) ([]Crypto, error) {
	var out []Crypto
	for _, a := range m.Attributes {
		if a.Key != "crypto" {
			continue
		}
		c, err := ParseCrypto(a.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadOffer, err)
		}
		if want, err := KeyLen(c.Suite); err == nil && len(c.Key) != want {
			return nil, fmt.Errorf("%w: a=crypto tag %d: the inline key must decode to %d bytes for %s (got %d)",
				ErrBadOffer, c.Tag, want, c.Suite, len(c.Key))
		}
		out = append(out, c)
	}
	return out, nil
}

// pickCrypto chooses among an m-line's crypto lines the one whose suite
// comes first in p.Suites (RFC 4568 §5.1.2: the answerer picks one offered
// line and echoes its tag). It returns nil for a line without crypto, and
// an *UnsupportedSuitesError when none is usable.
func (n *Negotiation) pickCrypto(cs []Crypto, p Policy) (*Crypto, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	best, bestRank := -1, len(p.Suites)
	e := &UnsupportedSuitesError{Accepted: p.Suites}
	for i, c := range cs {
		e.Offered = append(e.Offered, c.Suite)
		rank := slices.Index(p.Suites, c.Suite)
		switch {
		case c.Unsupported != "":
			e.Reasons = append(e.Reasons, fmt.Sprintf("%s (tag %d: %s)", c.Suite, c.Tag, c.Unsupported))
		case rank < 0:
			e.Reasons = append(e.Reasons, fmt.Sprintf("%s (tag %d: not accepted)", c.Suite, c.Tag))
		case rank < bestRank:
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		return nil, e
	}
	c := cs[best]
	return &c, nil
}

// sameKeying says why a further m-line's crypto cannot share the port of
// the line accepted first ("" when it can): one port, one SRTP key.
func (n *Negotiation) sameKeying(c *Crypto) string {
	switch {
	case n.Crypto == nil && c == nil:
		return ""
	case n.Crypto == nil || c == nil:
		return "video and audio must both be SRTP or both plain RTP"
	case c.Suite != n.Crypto.Suite || !bytes.Equal(c.Key, n.Crypto.Key):
		return "video and audio share one port and must use one SRTP suite and key"
	}
	return ""
}

func isUnsupportedSuites(err error) bool { return errors.Is(err, ErrUnsupportedSuites) }
