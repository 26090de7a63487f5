package gateway

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
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
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("http.tls.cert_file, http.tls.key_file: %w", err)
	}
	t.cert.Store(&cert)
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
