package sendersdp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// key returns n bytes of test key material, base64 with padding.
func key(n int, seed byte) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// cryptoCases are a=crypto values and what ParseCrypto makes of them; they
// also seed FuzzParseCrypto.
var cryptoCases = []struct {
	name        string
	value       string
	tag         int
	suite       string
	keyLen      int
	unsupported string // a piece of Crypto.Unsupported
	bad         bool
}{
	{"ffmpeg", "1 AES_CM_128_HMAC_SHA1_80 inline:SSAYZ+RohMzkIuNHSZfdp6nzpiRertNvEuWwV7Up", 1, "AES_CM_128_HMAC_SHA1_80", 30, "", false},
	{"lifetime", "2 AES_CM_128_HMAC_SHA1_32 inline:" + key(30, 1) + "|2^20", 2, "AES_CM_128_HMAC_SHA1_32", 30, "", false},
	{"decimal lifetime", "3 AEAD_AES_128_GCM inline:" + key(28, 1) + "|1048576", 3, "AEAD_AES_128_GCM", 28, "", false},
	{"no padding", "1 AES_256_CM_HMAC_SHA1_80 inline:" + strings.TrimRight(key(46, 2), "="), 1, "AES_256_CM_HMAC_SHA1_80", 46, "", false},
	{"kdr 0 and wsh", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 1) + " KDR=0 WSH=128", 1, "AES_CM_128_HMAC_SHA1_80", 30, "", false},
	{"mki", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 1) + "|2^20|1:4", 1, "AES_CM_128_HMAC_SHA1_80", 30, "MKI", false},
	{"two keys", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 1) + "|2^20|1:4;inline:" + key(30, 9) + "|2^20|2:4", 1, "AES_CM_128_HMAC_SHA1_80", 30, "several keys", false},
	{"unencrypted srtcp", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 1) + " UNENCRYPTED_SRTCP", 1, "AES_CM_128_HMAC_SHA1_80", 30, "UNENCRYPTED_SRTCP", false},
	{"unknown suite parses", "7 F8_128_HMAC_SHA1_80 inline:" + key(30, 1), 7, "F8_128_HMAC_SHA1_80", 30, "", false},
	{"too few fields", "1 AES_CM_128_HMAC_SHA1_80", 0, "", 0, "", true},
	{"tag letters", "x AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 1), 0, "", 0, "", true},
	{"tag too long", "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 1), 0, "", 0, "", true},
	{"tag sign", "+1 AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 1), 0, "", 0, "", true},
	{"not inline", "1 AES_CM_128_HMAC_SHA1_80 uri:https://example.com/key", 0, "", 0, "", true},
	{"not base64", "1 AES_CM_128_HMAC_SHA1_80 inline:!!!!", 0, "", 0, "", true},
	{"bad lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 1) + "|soon", 0, "", 0, "", true},
}

func TestParseCrypto(t *testing.T) {
	for _, c := range cryptoCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseCrypto(c.value)
			if c.bad {
				if !errors.Is(err, ErrBadCrypto) {
					t.Fatalf("ParseCrypto = %+v, %v; want ErrBadCrypto", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Tag != c.tag || got.Suite != c.suite || len(got.Key) != c.keyLen {
				t.Errorf("got tag %d suite %s key %d bytes; want %d %s %d", got.Tag, got.Suite, len(got.Key), c.tag, c.suite, c.keyLen)
			}
			if (c.unsupported == "") != (got.Unsupported == "") || !strings.Contains(got.Unsupported, c.unsupported) {
				t.Errorf("Unsupported = %q, want %q", got.Unsupported, c.unsupported)
			}
		})
	}
}

func TestCryptoNeverPrintsKey(t *testing.T) {
	c, err := ParseCrypto(cryptoCases[0].value)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); strings.Contains(s, "SSAYZ") || !strings.Contains(s, "[redacted]") {
		t.Errorf("String() = %q", s)
	}
	back, err := ParseCrypto(c.Attribute())
	if err != nil || !bytes.Equal(back.Key, c.Key) || back.Tag != c.Tag {
		t.Errorf("Attribute round trip: %+v, %v", back, err)
	}
}

func TestKeyLengths(t *testing.T) {
	cases := map[string]int{
		"AES_CM_128_HMAC_SHA1_80": 30, "AES_CM_128_HMAC_SHA1_32": 30,
		"AES_256_CM_HMAC_SHA1_80": 46, "AES_256_CM_HMAC_SHA1_32": 46,
		"AEAD_AES_128_GCM": 28, "AEAD_AES_256_GCM": 44,
	}
	for suite, want := range cases {
		k1, err1 := NewKey(suite)
		k2, err2 := NewKey(suite)
		if err1 != nil || err2 != nil || len(k1) != want || bytes.Equal(k1, k2) {
			t.Errorf("%s: keys of %d and %d bytes (%v %v), want two different of %d", suite, len(k1), len(k2), err1, err2, want)
		}
	}
	if _, err := NewKey("NULL_HMAC_SHA1_80"); !errors.Is(err, ErrSuite) {
		t.Errorf("NewKey(NULL) = %v, want ErrSuite", err)
	}
}
