package systest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"mediagate.dev/mediagate/turn/turntest"
)

// turnSecret is the turn.secret the TURN step configures, so that the test
// can sign credentials as another service would.
const turnSecret = "systest-turn-secret-0123456789"

// turnOn443 does what docs/turn.md says for TURN on port 443: the TURN
// server's certificate, tls_listen = ["0.0.0.0:443"] (and UDP on 443
// through a drop-in's ListenDatagram=), mediagate-turn.socket enabled
// while the service is stopped (systemd refuses to start a socket whose
// service runs), and the service started. The unit's sandbox stays as shipped (no
// capability, PrivateUsers=yes), and a client on the test's end of the
// link allocates over TLS and over UDP on port 443 and gets a permission
// toward the gateway's ICE socket. It puts everything back at the end.
func (s *scenario) turnOn443() {
	start := time.Now()
	defer func() { s.t.Logf("TURN on port 443 checked in %v", time.Since(start).Round(time.Millisecond)) }()
	pool := s.turnCert()
	turnConf := strings.NewReplacer(
		`udp_listen = ["0.0.0.0:3478"]`, `udp_listen = ["0.0.0.0:3478", "0.0.0.0:443"]`,
		`tls_listen = ["0.0.0.0:5349"]`, "tls_listen = [\"0.0.0.0:443\"]\ntls_cert = \"/etc/mediagate/turn.pem\"\n"+
			"tls_key = \"/etc/mediagate/turn-key.pem\"",
		"\nsecret = \"\"\n", fmt.Sprintf("\nsecret = %q\n", turnSecret),
	).Replace(s.edited)
	if strings.Count(turnConf, ":443") != 2 || strings.Count(turnConf, turnSecret) != 1 {
		s.t.Fatalf("the shipped [turn] table changed; the TURN step cannot edit it")
	}
	writeFile(s.t, filepath.Join(s.c.dir, confPath), turnConf)
	script := "mkdir -p /etc/systemd/system/mediagate-turn.socket.d && " +
		"printf '[Socket]\\nListenDatagram=0.0.0.0:443\\n' >/etc/systemd/system/mediagate-turn.socket.d/udp.conf && " +
		"systemctl daemon-reload && systemctl stop mediagate && systemctl enable --now mediagate-turn.socket && " +
		"systemctl start mediagate"
	if out, err := s.c.exec(time.Minute, "sh", "-ec", script); err != nil {
		log, _ := s.c.exec(time.Minute, "journalctl", "--no-pager", "-n", "40", "-u", "mediagate-turn.socket", "-u", "mediagate")
		s.t.Fatalf("TURN on 443: %v\n%s\n%s", err, out, log)
	}
	s.c.waitFor("mediagate active with TURN on 443", 30*time.Second, s.active)

	sandbox := s.c.show("mediagate", "CapabilityBoundingSet", "AmbientCapabilities", "PrivateUsers", "User")
	if sandbox["CapabilityBoundingSet"] != "" || sandbox["AmbientCapabilities"] != "" ||
		sandbox["PrivateUsers"] != "yes" || sandbox["User"] != "mediagate" {
		s.t.Errorf("the sandbox changed: %v", sandbox)
	}
	if out := s.c.sh("journalctl -u mediagate --no-pager -o cat -n 200"); !strings.Contains(out, "0.0.0.0:443") {
		s.t.Errorf("the journal does not show the TURN server on 0.0.0.0:443:\n%s", out)
	}
	gw := netip.AddrPortFrom(s.c.addr, 443).String()
	ice := netip.AddrPortFrom(s.c.addr, 8189)
	for _, network := range []string{"tls", "udp"} {
		c, err := turntest.Dial(network, gw, &tls.Config{RootCAs: pool, ServerName: s.c.addr.String()})
		if err != nil {
			s.t.Errorf("TURN over %s to %s: %v", network, gw, err)
			continue
		}
		user, pass := turnCredentials("systest-" + network)
		relay, err := c.Allocate(user, pass)
		if err == nil {
			err = c.CreatePermission(ice)
		}
		c.Close()
		if err != nil {
			s.t.Errorf("TURN over %s on port 443: allocation %v, permission toward %v: %v", network, relay, ice, err)
		}
	}

	s.c.sh("systemctl disable --now mediagate-turn.socket && rm -r /etc/systemd/system/mediagate-turn.socket.d && " +
		"systemctl daemon-reload && rm /etc/mediagate/turn.pem /etc/mediagate/turn-key.pem")
	s.conf("")
	s.c.sh("systemctl restart mediagate")
	s.c.waitFor("mediagate active on the operator's config", 30*time.Second, s.active)
}

// turnCredentials signs a TURN REST username for label with turnSecret,
// valid for an hour (draft-uberti-behave-turn-rest).
func turnCredentials(label string) (user, pass string) {
	user = fmt.Sprintf("%d:%s", time.Now().Add(time.Hour).Unix(), label)
	mac := hmac.New(sha1.New, []byte(turnSecret))
	mac.Write([]byte(user))
	return user, base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// turnCert writes a self-signed certificate for the container's address
// to /etc/mediagate/turn.pem and turn-key.pem (root:mediagate 0640, as an
// operator would) and returns a pool that trusts it.
func (s *scenario) turnCert() *x509.CertPool {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		s.t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{s.c.addr.AsSlice()},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		s.t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		s.t.Fatal(err)
	}
	writeFile(s.t, filepath.Join(s.c.dir, "etc/mediagate/turn.pem"),
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(s.t, filepath.Join(s.c.dir, "etc/mediagate/turn-key.pem"),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	s.c.sh("chown root:mediagate /etc/mediagate/turn.pem /etc/mediagate/turn-key.pem && " +
		"chmod 0640 /etc/mediagate/turn.pem /etc/mediagate/turn-key.pem")
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		s.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}
