package srtpseam

import (
	"encoding/binary"
	"testing"

	"github.com/pion/dtls/v3/pkg/protocol"
	"github.com/pion/dtls/v3/pkg/protocol/extension"
	"github.com/pion/dtls/v3/pkg/protocol/handshake"
)

// record frames handshake messages as one epoch-0 DTLS 1.2 record.
func record(t testing.TB, msgs ...handshake.Message) []byte {
	t.Helper()
	var body []byte
	for i, m := range msgs {
		raw, err := (&handshake.Handshake{Header: handshake.Header{MessageSequence: uint16(i)}, Message: m}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		body = append(body, raw...)
	}
	hdr := []byte{contentHandshake, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(hdr[11:], uint16(len(body)))
	return append(hdr, body...)
}

func helloSeeds(t testing.TB) [][]byte {
	suite := uint16(0xc02b)
	null := protocol.CompressionMethod{}
	sh := &handshake.MessageServerHello{Version: protocol.Version1_2, CipherSuiteID: &suite, CompressionMethod: &null,
		Random:     handshake.Random{RandomBytes: [28]byte{1, 2, 3}},
		Extensions: []extension.Extension{&extension.UseSRTP{ProtectionProfiles: []extension.SRTPProtectionProfile{7}}, &extension.UseExtendedMasterSecret{Supported: true}}}
	ch := &handshake.MessageClientHello{Version: protocol.Version1_2, Random: handshake.Random{RandomBytes: [28]byte{9}},
		CipherSuiteIDs: []uint16{suite}, CompressionMethods: []*protocol.CompressionMethod{{}}}
	return [][]byte{record(t, ch), record(t, sh, &handshake.MessageServerHelloDone{}), append(record(t, ch), record(t, sh)...)}
}

func TestParseHellos(t *testing.T) {
	seeds := helloSeeds(t)
	if h := parseHellos(seeds[0]); len(h) != 1 || h[0].server || h[0].random[4] != 9 {
		t.Fatalf("ClientHello: %+v", h)
	}
	h := parseHellos(seeds[1])
	if len(h) != 1 || !h[0].server || h[0].suite != 0xc02b || h[0].profile != 7 || !h[0].ems || h[0].random[4] != 1 {
		t.Fatalf("ServerHello: %+v", h)
	}
	if h := parseHellos(seeds[2]); len(h) != 2 {
		t.Fatalf("two records in one datagram: %d hellos", len(h))
	}
	for _, b := range [][]byte{nil, {22}, {23, 0xfe, 0xfd, 0, 1}, seeds[1][:20]} {
		if h := parseHellos(b); len(h) != 0 {
			t.Fatalf("%x: %+v", b, h)
		}
	}
}

// FuzzParseHellos: the parser reads untrusted datagrams on the shared
// socket before any authentication.
func FuzzParseHellos(f *testing.F) {
	for _, s := range helloSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(_ *testing.T, b []byte) { _ = parseHellos(b) })
}
