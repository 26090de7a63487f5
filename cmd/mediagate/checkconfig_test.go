package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mediagate.dev/mediagate/internal/certtest"
)

// TestCheckConfigCertificates runs `mediagate check-config` on configs whose
// [http.tls] names a good, a soon-expiring, an expired and a missing
// certificate, and a key of another one: the last two fail, the expiring
// ones pass with a warning.
func TestCheckConfigCertificates(t *testing.T) {
	dir := t.TempDir()
	dirs := map[string]time.Duration{"good": 90 * 24 * time.Hour, "soon": 2 * 24 * time.Hour,
		"expired": -time.Hour, "other": 90 * 24 * time.Hour}
	for name, left := range dirs {
		if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
			t.Fatal(err)
		}
		certtest.Write(t, filepath.Join(dir, name), name, time.Now().Add(left))
	}
	file := func(d, f string) string { return filepath.Join(dir, d, f) }
	cases := []struct {
		name, cert, key string
		exit            int
		stderr          string
	}{
		{"good", file("good", "cert.pem"), file("good", "key.pem"), 0, ""},
		{"expires soon", file("soon", "cert.pem"), file("soon", "key.pem"), 0, "warning: http.tls.cert_file: the certificate expires on"},
		{"expired", file("expired", "cert.pem"), file("expired", "key.pem"), 0, "warning: http.tls.cert_file: the certificate expired on"},
		{"missing", file("good", "missing.pem"), file("good", "key.pem"), 1, "no such file"},
		{"mismatched key", file("good", "cert.pem"), file("other", "key.pem"), 1, "does not match"},
	}
	c := newLoopbackConf(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conf := filepath.Join(t.TempDir(), "mediagate.toml")
			text := c.text(nil, fmt.Sprintf("\n[http.tls]\nlisten = \"127.0.0.1:%d\"\ncert_file = %q\nkey_file = %q\n",
				freePort(t, "tcp"), tc.cert, tc.key))
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "check-config", "-c", conf)
			cmd.Env = append(os.Environ(), "MEDIAGATE_TEST_MAIN=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			exit := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if exit != tc.exit || !strings.Contains(stderr.String(), tc.stderr) ||
				(tc.stderr == "" && stderr.Len() > 0) {
				t.Fatalf("exit %d, stderr %q; want exit %d with %q", exit, stderr.String(), tc.exit, tc.stderr)
			}
		})
	}
}
