package sendersdp

import (
	"net/netip"
	"testing"

	"github.com/pion/sdp/v3"
)

// FuzzNegotiate feeds arbitrary offers to Negotiate: it must never panic,
// and every offer it accepts must get an answer that parses.
func FuzzNegotiate(f *testing.F) {
	for _, c := range offerCases {
		f.Add([]byte(c.offer))
	}
	ep := Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Port: 40000}
	f.Fuzz(func(t *testing.T, offer []byte) {
		n, err := Negotiate(offer, allSuites)
		if err != nil {
			return
		}
		var key []byte
		if n.Crypto != nil {
			if key, err = NewKey(n.Crypto.Suite); err != nil {
				t.Fatalf("chosen suite %q has no key length: %v", n.Crypto.Suite, err)
			}
		}
		answer, err := n.Answer(ep, key)
		if err != nil {
			t.Fatalf("Answer: %v", err)
		}
		var sd sdp.SessionDescription
		if err := sd.UnmarshalString(answer); err != nil {
			t.Fatalf("answer does not parse: %v\n%s", err, answer)
		}
	})
}

// FuzzParseCrypto feeds arbitrary a=crypto values to ParseCrypto: it must
// never panic, and what it accepts must format back to a value that parses
// to the same tag, suite and key.
func FuzzParseCrypto(f *testing.F) {
	for _, c := range cryptoCases {
		f.Add(c.value)
	}
	f.Fuzz(func(t *testing.T, value string) {
		c, err := ParseCrypto(value)
		if err != nil {
			return
		}
		back, err := ParseCrypto(c.Attribute())
		if err != nil || back.Tag != c.Tag || back.Suite != c.Suite || string(back.Key) != string(c.Key) {
			t.Fatalf("round trip of %q: %+v, %v", value, back, err)
		}
	})
}
