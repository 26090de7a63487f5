package srtpseam

import (
	"bytes"
	"crypto/rand"
	"encoding/gob"
	"fmt"
	"strings"
	"testing"

	"github.com/pion/dtls/v3"
)

// pionState mirrors the fields of pion/dtls's serializedState that
// State.UnmarshalBinary reads (gob matches fields by name). It builds a real
// dtls.State from a logged master secret and the hello randoms, so pion's
// own ExportKeyingMaterial can check the seam's exporter.
type pionState struct {
	HandshakeComplete         bool
	LocalEpoch, RemoteEpoch   uint16
	LocalRandom, RemoteRandom [randomLen]byte
	CipherSuiteID             uint16
	MasterSecret              []byte
	SRTPProtectionProfile     uint16
	IsClient                  bool
}

func pionExport(t *testing.T, ms []byte, hs Handshake, label string, n int) []byte {
	t.Helper()
	st := pionState{HandshakeComplete: true, LocalEpoch: 1, RemoteEpoch: 1, CipherSuiteID: hs.CipherSuite,
		MasterSecret: ms, SRTPProtectionProfile: hs.SRTPProfile, IsClient: hs.IsClient,
		LocalRandom: hs.ClientRandom, RemoteRandom: hs.ServerRandom}
	if !hs.IsClient {
		st.LocalRandom, st.RemoteRandom = hs.ServerRandom, hs.ClientRandom
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(st); err != nil {
		t.Fatal(err)
	}
	var s dtls.State
	if err := s.UnmarshalBinary(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	out, err := s.ExportKeyingMaterial(label, nil, n)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExporterMatchesPion checks the exporter against pion/dtls's own, for
// a SHA-256 and a SHA-384 cipher suite and both roles.
func TestExporterMatchesPion(t *testing.T) {
	suites := []dtls.CipherSuiteID{
		dtls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		dtls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		dtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	}
	for _, suite := range suites {
		for _, client := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/client=%v", suite, client), func(t *testing.T) {
				hs := Handshake{CipherSuite: uint16(suite), SRTPProfile: uint16(dtls.SRTP_AEAD_AES_128_GCM), IsClient: client}
				ms := make([]byte, 48)
				_, _ = rand.Read(ms)
				_, _ = rand.Read(hs.ClientRandom[:])
				_, _ = rand.Read(hs.ServerRandom[:])
				const label = "EXTRACTOR-dtls_srtp"
				got, err := exporter{ms: ms, cr: hs.ClientRandom, sr: hs.ServerRandom, hash: prfHash(hs.CipherSuite)}.
					ExportKeyingMaterial(label, nil, 56)
				if err != nil {
					t.Fatal(err)
				}
				if want := pionExport(t, ms, hs, label, 56); !bytes.Equal(got, want) {
					t.Fatalf("exporter %x, pion %x", got, want)
				}
			})
		}
	}
}

// TestKeyLog feeds lines split across writes, other labels and junk.
func TestKeyLog(t *testing.T) {
	cr := strings.Repeat("ab", randomLen)
	ms := strings.Repeat("cd", 48)
	in := "# comment\nCLIENT_TRAFFIC_SECRET_0 " + cr + " " + ms + "\nCLIENT_RANDOM zz " + ms +
		"\nCLIENT_RANDOM " + cr + " " + ms + "\n"
	var k KeyLog
	for i := 0; i < len(in); i += 7 {
		if _, err := k.Write([]byte(in[i:min(i+7, len(in))])); err != nil {
			t.Fatal(err)
		}
	}
	gotCR, gotMS, ok := k.Latest()
	if !ok || k.Lines() != 1 {
		t.Fatalf("ok=%v lines=%d, want one line", ok, k.Lines())
	}
	if fmt.Sprintf("%x", gotCR) != cr || fmt.Sprintf("%x", gotMS) != ms {
		t.Fatal("wrong client random or master secret")
	}
	k.Forget()
	if _, m, _ := k.Latest(); m != nil {
		t.Fatal("Forget kept the secret")
	}
}
