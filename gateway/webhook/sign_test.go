package webhook

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testSecret = "0123456789abcdef-secret"

// verifyCases are deliveries as a receiver sees them and what Verify says;
// they also seed FuzzVerify.
var verifyCases = func() []struct {
	name, secret, sig, ts, body string
	want                        error
} {
	now := time.Unix(1700000000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := `{"id":"x","type":"stream.up"}`
	good := Sign(testSecret, now.Unix(), []byte(body))
	old := strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10)
	future := strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10)
	return []struct {
		name, secret, sig, ts, body string
		want                        error
	}{
		{"good", testSecret, good, ts, body, nil},
		{"wrong secret", "another-secret-0123", good, ts, body, ErrSignature},
		{"tampered body", testSecret, good, ts, body + " ", ErrSignature},
		{"other timestamp", testSecret, good, strconv.FormatInt(now.Unix()+1, 10), body, ErrSignature},
		{"upper-case prefix", testSecret, strings.ToUpper(good[:7]) + good[7:], ts, body, ErrSignature},
		{"short", testSecret, good[:20], ts, body, ErrSignature},
		{"not hex", testSecret, "sha256=" + strings.Repeat("zz", 32), ts, body, ErrSignature},
		{"bad timestamp", testSecret, good, "yesterday", body, ErrSignature},
		{"replayed", testSecret, Sign(testSecret, now.Add(-10*time.Minute).Unix(), []byte(body)), old, body, ErrStale},
		{"future", testSecret, Sign(testSecret, now.Add(10*time.Minute).Unix(), []byte(body)), future, body, ErrStale},
	}
}()

var verifyNow = time.Unix(1700000000, 0)

func TestVerify(t *testing.T) {
	for _, c := range verifyCases {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(c.secret, c.sig, c.ts, []byte(c.body), 5*time.Minute, verifyNow)
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestSignIsHexHMAC(t *testing.T) {
	// HMAC-SHA256("key", "1.body"), from `printf 1.body | openssl dgst -sha256 -hmac key`.
	const want = "sha256=91b5374b153842ad05b2c4eab9349b8321b14703165bd3fb8b034dfb8be98ae5"
	if got := Sign("key", 1, []byte("body")); got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

// FuzzVerify feeds arbitrary headers and bodies to Verify: it must never
// panic, and never accept a signature that Sign did not make.
func FuzzVerify(f *testing.F) {
	for _, c := range verifyCases {
		f.Add(c.sig, c.ts, []byte(c.body))
	}
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		err := Verify(testSecret, sig, ts, body, time.Hour, verifyNow)
		if err != nil {
			return
		}
		n, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil || Sign(testSecret, n, body) != sig && !strings.EqualFold(Sign(testSecret, n, body), sig) {
			t.Fatalf("Verify accepted %q at %q", sig, ts)
		}
	})
}
