package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mediagate.dev/mediagate/internal/certtest"
)

// TestCheckCertificates: a pair that loads is returned with its expiry, and
// warned about when it has expired or expires within ExpiryWarning; a
// missing file and a key of another certificate are problems naming the
// keys.
func TestCheckCertificates(t *testing.T) {
	now := time.Now()
	good, soon, expired, other := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	certtest.Write(t, good, "good", now.Add(90*24*time.Hour))
	certtest.Write(t, soon, "soon", now.Add(3*24*time.Hour))
	certtest.Write(t, expired, "expired", now.Add(-time.Hour))
	certtest.Write(t, other, "other", now.Add(90*24*time.Hour))
	pem := func(dir, name string) string { return filepath.Join(dir, name) }
	cases := []struct {
		name, cert, key string
		problem         string // in the error; "" = loads
		warning         string // in the warning; "" = none
	}{
		{"valid", pem(good, "cert.pem"), pem(good, "key.pem"), "", ""},
		{"expires in 3 days", pem(soon, "cert.pem"), pem(soon, "key.pem"), "", "expires on"},
		{"expired", pem(expired, "cert.pem"), pem(expired, "key.pem"), "", "expired on"},
		{"missing certificate", pem(good, "nope.pem"), pem(good, "key.pem"), "no such file", ""},
		{"key of another certificate", pem(good, "cert.pem"), pem(other, "key.pem"), "does not match", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			cfg.HTTP.TLS = TLS{Listen: "127.0.0.1:8443", CertFile: tc.cert, KeyFile: tc.key}
			certs, err := cfg.CheckCertificates()
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) ||
					!strings.Contains(err.Error(), "http.tls.cert_file") || !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v, want one naming http.tls.cert_file with %q", err, tc.problem)
				}
				return
			}
			if err != nil || len(certs) != 1 || certs[0].Listener != "http" {
				t.Fatalf("CheckCertificates = %+v, %v", certs, err)
			}
			w := certs[0].Warning(now)
			if (tc.warning == "") != (w == "") || !strings.Contains(w, tc.warning) {
				t.Fatalf("warning %q, want one with %q", w, tc.warning)
			}
		})
	}
}

// TestCheckCertificatesTURN: the TURN server's pair is checked too, and
// every broken pair is reported.
func TestCheckCertificatesTURN(t *testing.T) {
	dir := t.TempDir()
	certtest.Write(t, dir, "turn", time.Now().Add(time.Hour))
	cfg := Default()
	cfg.HTTP.TLS = TLS{Listen: "127.0.0.1:8443", CertFile: "/nonexistent/cert.pem", KeyFile: "/nonexistent/key.pem"}
	cfg.Turn.Enabled = true
	cfg.Turn.TLSCert, cfg.Turn.TLSKey = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "cert.pem")
	_, err := cfg.CheckCertificates()
	if err == nil || !strings.Contains(err.Error(), "http.tls.cert_file") || !strings.Contains(err.Error(), "turn.tls_cert") {
		t.Fatalf("error %v, want both pairs named", err)
	}
}
