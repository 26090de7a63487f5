package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mediagate.dev/mediagate/internal/certtest"
)

// testCert writes a self-signed certificate for 127.0.0.1 and localhost,
// named cn and valid for a day, to cert.pem and key.pem in dir, and
// returns the certificate.
func testCert(t testing.TB, dir, cn string) *x509.Certificate {
	return certtest.Write(t, dir, cn, time.Now().Add(24*time.Hour))
}

// tlsConfig is testConfig with HTTPS on a loopback port, serving the
// certificate in dir, and extra TOML appended.
func tlsConfig(t testing.TB, dir, extra string) string {
	return fmt.Sprintf("[http.tls]\nlisten = \"127.0.0.1:%d\"\ncert_file = %q\nkey_file = %q\n",
		freePort(t, "tcp"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")) + extra
}

// servedCert connects to addr and returns the certificate it presents.
func servedCert(t testing.TB, addr string) *x509.Certificate {
	t.Helper()
	d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}} // the test compares the leaf itself
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatalf("TLS dial %s: %v", addr, err)
	}
	defer c.Close()
	return c.(*tls.Conn).ConnectionState().PeerCertificates[0]
}

// TestHTTPSBesideHTTP: both listeners serve the same routes; HTTPS with a
// certificate that a client trusting it verifies; ReloadTLS serves a
// renewed certificate to new connections and keeps the old one when the
// new files do not load.
func TestHTTPSBesideHTTP(t *testing.T) {
	dir := t.TempDir()
	first := testCert(t, dir, "first")
	gw := startGateway(t, testConfig(t, tlsConfig(t, dir, "")))
	addr := gw.HTTPSAddr().String()

	pool := x509.NewCertPool()
	pool.AddCert(first)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer client.CloseIdleConnections()
	for _, c := range []struct {
		url   string
		proto int // HTTP major version: browsers speak HTTP/2 over TLS
	}{{"https://" + addr + "/healthz", 2}, {gw.URL + "/healthz", 1}} {
		resp, err := client.Get(c.url)
		if err != nil {
			t.Fatalf("GET %s: %v", c.url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.ProtoMajor != c.proto {
			t.Errorf("GET %s = %d over HTTP/%d, want 200 over HTTP/%d", c.url, resp.StatusCode, resp.ProtoMajor, c.proto)
		}
	}

	second := testCert(t, dir, "second")
	if err := gw.ReloadTLS(); err != nil {
		t.Fatalf("ReloadTLS: %v", err)
	}
	if got := servedCert(t, addr); !got.Equal(second) {
		t.Errorf("after ReloadTLS the server presents %q, want %q", got.Subject.CommonName, "second")
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := gw.ReloadTLS(); err == nil {
		t.Error("ReloadTLS accepted a broken key file")
	}
	if got := servedCert(t, addr); !got.Equal(second) {
		t.Errorf("after a failed reload the server presents %q, want the old %q", got.Subject.CommonName, "second")
	}
}

// TestBrowserPlaysOverHTTPS: headless chromium opens the player page over
// HTTPS with the test's certificate and plays a stream through WHEP.
func TestBrowserPlaysOverHTTPS(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: run without -short")
	}
	dir := t.TempDir()
	testCert(t, dir, "mediagate test")
	port := freePort(t, "udp")
	gw := startGateway(t, testConfig(t, tlsConfig(t, dir, fmt.Sprintf(
		"[[stream]]\nname = \"cam\"\nlisten = \"127.0.0.1:%d\"\n  [stream.video]\n  codec = \"vp8\"\n  payload_type = 97\n", port))))
	startPeer(t, "ffmpeg", ffmpegVP8(port, 320, 240)...)

	ctx := newBrowser(t, chromedp.Flag("ignore-certificate-errors", true))
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	url := "https://" + gw.HTTPSAddr().String() + "/view/cam"
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	secure, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.isSecureContext && location.protocol === "https:"`))
	if err != nil || !secure {
		t.Fatalf("page is not a secure https context (%v)", err)
	}
	st := waitFrames(ctx, t, 60, 40*time.Second)
	if st.FrameWidth != 320 || st.Codec != "video/VP8" {
		t.Errorf("stats %+v, want 320 wide VP8", st)
	}
}

// TestCertificateChecks: New refuses a key that does not match the
// certificate; a running gateway warns about a certificate that expires
// within 14 days and exports the seconds left; a reload to a missing
// certificate is refused whole and the old one keeps serving.
func TestCertificateChecks(t *testing.T) {
	good, other := t.TempDir(), t.TempDir()
	certtest.Write(t, good, "soon", time.Now().Add(3*24*time.Hour))
	certtest.Write(t, other, "other", time.Now().Add(24*time.Hour))
	bad := testConfig(t, fmt.Sprintf("[http.tls]\nlisten = \"127.0.0.1:%d\"\ncert_file = %q\nkey_file = %q\n",
		freePort(t, "tcp"), filepath.Join(good, "cert.pem"), filepath.Join(other, "key.pem")))
	if gw, err := New(bad, nil); err == nil || !strings.Contains(err.Error(), "does not match") {
		if gw != nil {
			_ = gw.Shutdown(context.Background())
		}
		t.Fatalf("New with a mismatched key: %v", err)
	}

	logs := &lockedBuffer{}
	gw, err := New(testConfig(t, tlsConfig(t, good, "")), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	runGateway(t, gw)
	if !strings.Contains(logs.String(), "the certificate expires on") {
		t.Errorf("no expiry warning in the log:\n%s", logs.String())
	}
	left := metricValue(t, gw, "mediagate_tls_certificate_expiry_seconds", map[string]string{"listener": "http"})
	if left < 3*24*3600-120 || left > 3*24*3600 {
		t.Errorf("mediagate_tls_certificate_expiry_seconds = %v, want about 3 days", left)
	}

	missing := testConfig(t, tlsConfig(t, t.TempDir(), ""))
	missing.HTTP.TLS.Listen = gw.config().HTTP.TLS.Listen
	if err := gw.Reload(missing); err == nil || !strings.Contains(err.Error(), "http.tls.cert_file") {
		t.Fatalf("Reload to a missing certificate: %v", err)
	}
	if got := servedCert(t, gw.HTTPSAddr().String()); got.Subject.CommonName != "soon" {
		t.Errorf("after a refused reload the server presents %q", got.Subject.CommonName)
	}
}

// TestTLSHandshakeErrorsLogged opens a burst of connections to the HTTPS
// port that each send garbage instead of a ClientHello: net/http's
// "TLS handshake error" lines arrive through the structured logger, as
// one warning of component http for the burst, not one line per
// connection.
func TestTLSHandshakeErrorsLogged(t *testing.T) {
	dir := t.TempDir()
	testCert(t, dir, "handshake")
	logs := &lockedBuffer{}
	gw, err := New(testConfig(t, tlsConfig(t, dir, "")), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	runGateway(t, gw)
	const conns = 20
	for range conns {
		c, err := net.DialTimeout("tcp", gw.HTTPSAddr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write([]byte{0x16, 0x03, 0x01, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00})
		_, _ = io.Copy(io.Discard, c) // until the server closes it
		c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "TLS handshake error") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "TLS handshake error") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d log lines about the %d handshake errors, want 1 (rate-limited):\n%s", len(lines), conns, strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], `level=WARN msg="http server" component=http error="http: TLS handshake error from 127.0.0.1:`) {
		t.Errorf("handshake error line %q is not a structured warning of component http", lines[0])
	}
}
