package gateway

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/turn/turntest"
)

// testTurnSecret is the TURN secret of these tests; no log line may hold it.
const testTurnSecret = "test-turn-secret-0123456789"

// testRelayPorts lies above Linux's ephemeral range (32768-60999), so that
// no free port the tests pick falls in it.
const testRelayPorts = "61000-61999"

// turnTOML returns a [turn] table on loopback with the given transports
// ("udp", "tcp", "tls"), and for TLS a certificate for 127.0.0.1 written
// to the test's directory.
func turnTOML(t testing.TB, transports ...string) string {
	t.Helper()
	var udp, tcp, tls, files string
	for _, tr := range transports {
		switch tr {
		case "udp":
			udp = fmt.Sprintf("%q", fmt.Sprintf("127.0.0.1:%d", freePort(t, "udp")))
		case "tcp":
			tcp = fmt.Sprintf("%q", fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp")))
		case "tls":
			tls = fmt.Sprintf("%q", fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp")))
			cert, key := writeTestCert(t, "127.0.0.1")
			files = fmt.Sprintf("tls_cert = %q\ntls_key = %q\n", cert, key)
		}
	}
	return fmt.Sprintf(`
[turn]
enabled = true
udp_listen = [%s]
tcp_listen = [%s]
tls_listen = [%s]
%ssecret = %q
relay_address = "127.0.0.1"
relay_ports = %q
`, udp, tcp, tls, files, testTurnSecret, testRelayPorts)
}

// writeTestCert writes a self-signed certificate for host and its key as
// PEM files, and returns their paths.
func writeTestCert(t testing.TB, host string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP(host)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "turn.crt"), filepath.Join(dir, "turn.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// iceLink is one ice-server Link header, parsed.
type iceLink struct {
	URI, Username, Credential, CredentialType string
}

var linkRE = regexp.MustCompile(`^<([^>]+)>; rel="ice-server"; username="([^"]+)"; credential="([^"]+)"; credential-type="([^"]+)"$`)

// iceLinks parses a response's ice-server Link headers.
func iceLinks(t testing.TB, h http.Header) []iceLink {
	t.Helper()
	var out []iceLink
	for _, v := range h.Values("Link") {
		m := linkRE.FindStringSubmatch(v)
		if m == nil {
			t.Fatalf("Link header %q is not an ice-server link", v)
		}
		out = append(out, iceLink{m[1], m[2], m[3], m[4]})
	}
	return out
}

// TestTURNLinks checks the ice-server links of a gateway with TURN over
// UDP, TCP and TLS: on a plain OPTIONS and on every 201, minted per
// request, never on a CORS preflight; that the credentials work and the
// policy holds for them; and that the secret never reaches the log.
func TestTURNLinks(t *testing.T) {
	port := freePort(t, "udp")
	cfg := testConfig(t, turnTOML(t, "udp", "tcp", "tls")+fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, port)+whipStream("studio", ""))
	logs := &lockedBuffer{}
	gw, err := New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	rg := runGateway(t, gw)
	endpoint := rg + "/whep/cam"

	opt := doRequest(t, http.MethodOptions, endpoint, "", "", "", "")
	optLinks := iceLinks(t, opt.Header)
	wantURIs := []string{
		"turn:127.0.0.1:" + portOf(cfg.Turn.UDPListen[0]) + "?transport=udp",
		"turn:127.0.0.1:" + portOf(cfg.Turn.TCPListen[0]) + "?transport=tcp",
		"turns:127.0.0.1:" + portOf(cfg.Turn.TLSListen[0]) + "?transport=tcp",
	}
	if opt.StatusCode != http.StatusNoContent || len(optLinks) != 3 {
		t.Fatalf("plain OPTIONS: %d with %d links, want 204 with 3", opt.StatusCode, len(optLinks))
	}
	for i, l := range optLinks {
		if l.URI != wantURIs[i] || l.CredentialType != "password" || !strings.HasSuffix(l.Username, ":"+strings.SplitN(optLinks[0].Username, ":", 2)[1]) {
			t.Errorf("link %d = %+v, want %s with the same credentials", i, l, wantURIs[i])
		}
	}

	pre, err := http.NewRequest(http.MethodOptions, endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	pre.Header.Set("Origin", "https://player.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	res, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Link") != "" {
		t.Errorf("a CORS preflight carried Link headers: %q", res.Header.Values("Link"))
	}

	status, postLinks := postOffer(t, endpoint)
	if status != http.StatusCreated || len(postLinks) != 3 || postLinks[0].Username == optLinks[0].Username {
		t.Fatalf("POST: %d with links %+v; want 201 with 3 links of fresh credentials", status, postLinks)
	}

	checkLinkCredentials(t, postLinks, trustCert(t, cfg.Turn.TLSCert))

	// WHIP publishers get the same: Links on a plain OPTIONS and on the 201.
	whip := rg + "/whip/studio"
	if links := iceLinks(t, doRequest(t, http.MethodOptions, whip, testPublishToken, "", "", "").Header); len(links) != 3 {
		t.Errorf("WHIP plain OPTIONS carried %d links, want 3", len(links))
	}
	pub, err := newPionAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if _, err := pub.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	offer, err := pub.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := doRequest(t, http.MethodPost, whip, testPublishToken, "application/sdp", "", offer.SDP)
	if links := iceLinks(t, resp.Header); resp.StatusCode != http.StatusCreated || len(links) != 3 ||
		links[0].Username == optLinks[0].Username {
		t.Errorf("WHIP POST: %d with %d links, want 201 with 3 links of fresh credentials", resp.StatusCode, len(links))
	}
	if n := metricValue(t, gw, "mediagate_whip_requests_total", map[string]string{"method": "POST", "code": "201"}); n != 1 {
		t.Errorf("mediagate_whip_requests_total{POST,201} = %v, want 1", n)
	}
	if strings.Contains(logs.String(), testTurnSecret) {
		t.Error("the TURN secret appears in the log")
	}
}

// checkLinkCredentials allocates with each link's credentials over its
// transport: a permission toward the ICE address is granted, one toward
// another loopback address is refused.
func checkLinkCredentials(t *testing.T, links []iceLink, tc *tls.Config) {
	t.Helper()
	for _, l := range links {
		network, addr := "udp", strings.TrimPrefix(strings.TrimPrefix(l.URI, "turns:"), "turn:")
		addr, transport, _ := strings.Cut(addr, "?transport=")
		switch {
		case strings.HasPrefix(l.URI, "turns:"):
			network = "tls"
		case transport == "tcp":
			network = "tcp"
		}
		c, err := turntest.Dial(network, addr, tc)
		if err != nil {
			t.Fatalf("%s: %v", l.URI, err)
		}
		if _, err := c.Allocate(l.Username, l.Credential); err != nil {
			t.Errorf("%s: Allocate with the link's credentials: %v", l.URI, err)
		}
		if err := c.CreatePermission(netip.MustParseAddrPort("127.0.0.1:9")); err != nil {
			t.Errorf("%s: CreatePermission toward the ICE address: %v", l.URI, err)
		}
		if err := c.CreatePermission(netip.MustParseAddrPort("127.0.0.2:9")); err == nil {
			t.Errorf("%s: CreatePermission toward 127.0.0.2 granted", l.URI)
		}
		_ = c.Close()
	}
}

// postOffer POSTs a pion offer and returns the status and links.
func postOffer(t *testing.T, endpoint string) (int, []iceLink) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(pionOffer(t, webrtc.RTPCodecTypeVideo)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/sdp")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if loc := res.Header.Get("Location"); loc != "" {
		t.Cleanup(func() {
			u := endpoint[:strings.Index(endpoint, "/whep/")] + loc
			r, err := http.NewRequest(http.MethodDelete, u, nil)
			if err == nil {
				if res, err := http.DefaultClient.Do(r); err == nil {
					res.Body.Close()
				}
			}
		})
	}
	return res.StatusCode, iceLinks(t, res.Header)
}

// trustCert returns a TLS client config that trusts the PEM certificate
// in file.
func trustCert(t testing.TB, file string) *tls.Config {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatalf("no certificate in %s", file)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// runGateway runs gw until the test ends and returns its base URL.
func runGateway(t testing.TB, gw *Gateway) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gateway.Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("gateway did not stop within 15s")
		}
	})
	return "http://" + gw.HTTPAddr().String()
}

// portOf returns the port of a host:port string.
func portOf(hostport string) string {
	_, p, _ := net.SplitHostPort(hostport)
	return p
}
