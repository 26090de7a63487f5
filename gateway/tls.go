package gateway

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/config"
)

// tlsListener is the HTTPS listener beside the plain one, and the
// certificate it serves: ReloadTLS swaps it, and every new connection
// takes the current one.
type tlsListener struct {
	ln   net.Listener
	cert atomic.Pointer[tls.Certificate]
}

// listenTLS binds http.tls.listen and loads the certificate when HTTPS is
// configured. listenHTTP must have built the server. New calls it.
func (g *Gateway) listenTLS() error {
	tc := g.cfg.HTTP.TLS
	if !tc.Enabled() {
		return nil
	}
	t := &tlsListener{}
	if err := t.load(tc.CertFile, tc.KeyFile); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", tc.Listen)
	if err != nil {
		return fmt.Errorf("http.tls.listen: %w", err)
	}
	t.ln = ln
	g.tls = t
	// NextProtos must name h2 before Serve or ServeTLS first runs: whichever
	// does sets HTTP/2 up once for both, and Serve skips it for a TLSConfig
	// without h2, which would leave ALPN offering an h2 nobody serves.
	g.httpSrv.TLSConfig = &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"h2", "http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return t.cert.Load(), nil },
	}
	return nil
}

// load reads a certificate chain and its key and makes them current.
func (t *tlsListener) load(certFile, keyFile string) error {
	cert, err := config.LoadCertificate(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("http.tls.cert_file, http.tls.key_file: %w", err)
	}
	t.cert.Store(cert)
	return nil
}

// serveTLS serves HTTPS on the TLS listener, when there is one, with the
// same handler and timeouts as HTTP (HTTP/2 included). Its end is sent to
// errc. Run calls it.
func (g *Gateway) serveTLS(errc chan<- error) {
	if g.tls == nil {
		return
	}
	go func() {
		err := g.httpSrv.ServeTLS(g.tls.ln, "", "")
		if !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("https: %w", err)
		}
	}()
	g.log.Info("serving HTTPS", "addr", g.tls.ln.Addr().String())
}

// closeTLS closes the TLS listener; Shutdown also closes it when it
// serves. closeAll calls it.
func (g *Gateway) closeTLS() {
	if g.tls != nil {
		_ = g.tls.ln.Close()
	}
}

// ReloadTLS reads the certificate and key files named by the running
// config's [http.tls] again, and serves the new certificate to every new
// connection; connections already open keep theirs. A file that does not
// load leaves the old certificate in place and is returned as the error.
// It does nothing when HTTPS is off. Reload calls it, so that
// `systemctl reload mediagate` picks up a renewed certificate.
func (g *Gateway) ReloadTLS() error {
	if g.tls == nil {
		return nil
	}
	tc := g.config().HTTP.TLS
	if err := g.tls.load(tc.CertFile, tc.KeyFile); err != nil {
		g.log.Error("TLS certificate not reloaded; the old one stays", "error", err)
		return err
	}
	g.log.Info("TLS certificate reloaded", "cert_file", tc.CertFile)
	return nil
}

// HTTPSAddr is the address of the HTTPS listener, or nil when HTTPS is off.
func (g *Gateway) HTTPSAddr() net.Addr {
	if g.tls == nil {
		return nil
	}
	return g.tls.ln.Addr()
}

// checkCertificates loads the TLS certificates cfg names (config.
// CheckCertificates): one that does not load refuses the start or the
// reload. It warns about one that has expired or expires within
// config.ExpiryWarning and records every expiry for /metrics. New and
// Reload call it before they change anything.
func (g *Gateway) checkCertificates(cfg *config.Config) error {
	certs, err := cfg.CheckCertificates()
	if err != nil {
		return err
	}
	now := time.Now()
	for _, c := range certs {
		if w := c.Warning(now); w != "" {
			g.log.Warn("TLS certificate", "listener", c.Listener, "problem", w)
		}
	}
	g.certs.set(certs)
	return nil
}

// certExpiryDesc describes mediagate_tls_certificate_expiry_seconds.
var certExpiryDesc = prometheus.NewDesc("mediagate_tls_certificate_expiry_seconds",
	"Seconds until the TLS certificate of the listener expires (negative once it has), "+
		"as last loaded at start or reload.", []string{"listener"}, nil)

// certExpiry is the expiry of each TLS listener's certificate, a
// prometheus.Collector that reports the seconds left at scrape time.
type certExpiry struct {
	mu       sync.Mutex
	notAfter map[string]time.Time
}

// set replaces the expiries with those of certs.
func (e *certExpiry) set(certs []config.Certificate) {
	m := make(map[string]time.Time, len(certs))
	for _, c := range certs {
		m[c.Listener] = c.NotAfter
	}
	e.mu.Lock()
	e.notAfter = m
	e.mu.Unlock()
}

// Describe implements prometheus.Collector.
func (e *certExpiry) Describe(ch chan<- *prometheus.Desc) { ch <- certExpiryDesc }

// Collect implements prometheus.Collector.
func (e *certExpiry) Collect(ch chan<- prometheus.Metric) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for listener, t := range e.notAfter {
		ch <- prometheus.MustNewConstMetric(certExpiryDesc, prometheus.GaugeValue, time.Until(t).Seconds(), listener)
	}
}
