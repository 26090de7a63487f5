package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The request headers of a delivery.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of
	// "<timestamp>.<body>" under the receiver's secret.
	SignatureHeader = "X-Mediagate-Signature"
	// TimestampHeader carries the signing time in Unix seconds.
	TimestampHeader = "X-Mediagate-Timestamp"
	// DeliveryHeader identifies one event across retries.
	DeliveryHeader = "X-Mediagate-Delivery"
	// EventHeader carries the event type, such as "stream.up".
	EventHeader = "X-Mediagate-Event"
)

// signaturePrefix names the MAC in SignatureHeader.
const signaturePrefix = "sha256="

// Sign returns the SignatureHeader value for body sent at timestamp (Unix
// seconds): "sha256=" and the hex HMAC-SHA256 (RFC 2104) of
// "<timestamp>.<body>" under secret.
func Sign(secret string, timestamp int64, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(secret, strconv.FormatInt(timestamp, 10), body))
}

func mac(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery as a receiver should: signature is the
// SignatureHeader value, timestamp the TimestampHeader value, and the
// timestamp must be within maxAge of now (either way). It compares the MAC
// in constant time. Errors wrap ErrSignature or ErrStale.
func Verify(secret, signature, timestamp string, body []byte, maxAge time.Duration, now time.Time) error {
	hexMAC, ok := strings.CutPrefix(signature, signaturePrefix)
	got, err := hex.DecodeString(hexMAC)
	if !ok || err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: want %s<64 hex digits>", ErrSignature, signaturePrefix)
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp is not Unix seconds", ErrSignature)
	}
	if !hmac.Equal(got, mac(secret, timestamp, body)) {
		return ErrSignature
	}
	if age := now.Sub(time.Unix(ts, 0)); age > maxAge || age < -maxAge {
		return fmt.Errorf("%w: %v old", ErrStale, age.Round(time.Second))
	}
	return nil
}
