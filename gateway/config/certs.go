package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"
)

// ExpiryWarning is how long before its certificate expires a TLS listener
// is warned about: by check-config, at start and at every reload.
const ExpiryWarning = 14 * 24 * time.Hour

// Certificate is one certificate and key pair a config names, loaded.
type Certificate struct {
	// Listener names it: "http" ([http.tls]) or "turn" (turn.tls_cert).
	Listener string
	// Key is the config key of its certificate file.
	Key string
	// NotAfter is when its leaf certificate expires.
	NotAfter time.Time
}

// Warning returns what an operator must hear about the certificate at now:
// that it has expired, or that it expires within ExpiryWarning; "" when
// neither.
func (c Certificate) Warning(now time.Time) string {
	left := c.NotAfter.Sub(now)
	switch {
	case left <= 0:
		return fmt.Sprintf("%s: the certificate expired on %s; clients refuse it",
			c.Key, c.NotAfter.UTC().Format(time.RFC3339))
	case left < ExpiryWarning:
		return fmt.Sprintf("%s: the certificate expires on %s, in %d hours; renew it",
			c.Key, c.NotAfter.UTC().Format(time.RFC3339), int(left.Hours()))
	}
	return ""
}

// LoadCertificate reads a PEM certificate chain, leaf first, and its
// private key: a missing or unreadable file, one without a certificate or
// a key, and a key that does not belong to the certificate are errors.
func LoadCertificate(certFile, keyFile string) (*tls.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	if pair.Leaf == nil {
		return nil, errors.New("no leaf certificate")
	}
	return &pair, nil
}

// CheckCertificates loads every certificate and key pair the config names
// ([http.tls] when HTTPS is on, turn.tls_cert and turn.tls_key when TURN
// over TLS is on) and returns them. A pair that does not load is a
// problem naming its key; the problems come back joined. Expiry is not a
// problem: Certificate.Warning tells it. check-config, the gateway's start
// and every reload call it, so that none of them accepts a certificate the
// listener could not serve.
func (c *Config) CheckCertificates() ([]Certificate, error) {
	type pair struct{ listener, certKey, keyKey, cert, key string }
	var pairs []pair
	if t := c.HTTP.TLS; t.Enabled() {
		pairs = append(pairs, pair{"http", "http.tls.cert_file", "http.tls.key_file", t.CertFile, t.KeyFile})
	}
	if t := c.Turn; t.Enabled && t.TLS() {
		pairs = append(pairs, pair{"turn", "turn.tls_cert", "turn.tls_key", t.TLSCert, t.TLSKey})
	}
	var certs []Certificate
	var errs []error
	for _, p := range pairs {
		cert, err := LoadCertificate(p.cert, p.key)
		if err != nil {
			errs = append(errs, &FieldError{Key: p.certKey + ", " + p.keyKey, Msg: err.Error(), Err: ErrInvalid})
			continue
		}
		certs = append(certs, Certificate{Listener: p.listener, Key: p.certKey, NotAfter: cert.Leaf.NotAfter})
	}
	return certs, errors.Join(errs...)
}
