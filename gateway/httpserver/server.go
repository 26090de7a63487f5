package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/internal/ratelog"
)

// maxHeaderBytes bounds a request's header block.
const maxHeaderBytes = 16 << 10

// Server serves the gateway's routes over HTTP and, when [http.tls] is
// set, HTTPS, with the same handler and timeouts (HTTP/2 included).
type Server struct {
	log    *slog.Logger
	srv    *http.Server
	ln     net.Listener
	tls    *tlsListener // nil without [http.tls]
	drain  *drain
	routes atomic.Pointer[http.ServeMux]
}

// New builds the server on ln, the bound plain listener, with the timeouts
// of hc, and binds and loads [http.tls] when it is set. On error ln is
// left to the caller.
func New(ln net.Listener, hc config.HTTP, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{log: log, ln: ln, drain: newDrain()}
	s.routes.Store(http.NewServeMux())
	s.srv = &http.Server{
		Handler:           s.drain.wrap(http.HandlerFunc(s.serve)),
		ReadHeaderTimeout: hc.ReadHeaderTimeout.D(),
		ReadTimeout:       hc.ReadTimeout.D(),
		WriteTimeout:      hc.WriteTimeout.D(),
		IdleTimeout:       hc.IdleTimeout.D(),
		MaxHeaderBytes:    maxHeaderBytes,
		// net/http's own complaints (TLS handshake errors from scanners,
		// mostly) as rate-limited structured warnings.
		ErrorLog: ratelog.New(log).StdLogger("http server"),
	}
	if err := s.listenTLS(hc.TLS); err != nil {
		return nil, err
	}
	return s, nil
}

// serve serves r with the current routes. Requests in flight finish on the
// routes they started on.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.routes.Load().ServeHTTP(w, r)
}

// SetRoutes makes mux the routes of every new request: the root builds
// them from the running config, again on every reload, so that settings
// they hold (the admin token) apply.
func (s *Server) SetRoutes(mux *http.ServeMux) { s.routes.Store(mux) }

// Serve serves HTTP, and HTTPS when it is on, in goroutines of their own;
// the end of each (http.ErrServerClosed after Shutdown) is sent to errc,
// which must have room for two.
func (s *Server) Serve(errc chan<- error) {
	go func() { errc <- s.srv.Serve(s.ln) }()
	if s.tls == nil {
		return
	}
	go func() {
		err := s.srv.ServeTLS(s.tls.ln, "", "")
		if !errors.Is(err, http.ErrServerClosed) {
			err = fmt.Errorf("https: %w", err)
		}
		errc <- err
	}()
	s.log.Info("serving HTTPS", "addr", s.tls.ln.Addr().String())
}

// Drain refuses every new request from now on (503 with Retry-After,
// RFC 9110 §15.6.4) while the listeners stay open, cancels the requests in
// flight, and returns a channel closed once none is active.
func (s *Server) Drain() <-chan struct{} { return s.drain.start() }

// Shutdown closes the listeners and waits for the connections within ctx
// (http.Server.Shutdown).
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close closes both listeners. It is idempotent.
func (s *Server) Close() {
	_ = s.ln.Close()
	if s.tls != nil {
		_ = s.tls.ln.Close()
	}
}

// Addr is the address of the plain listener.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// TLSAddr is the address of the HTTPS listener, or nil when HTTPS is off.
func (s *Server) TLSAddr() net.Addr {
	if s.tls == nil {
		return nil
	}
	return s.tls.ln.Addr()
}

// tlsListener is the HTTPS listener and the certificate it serves.
type tlsListener struct {
	ln   net.Listener
	cert atomic.Pointer[tls.Certificate]
}

// listenTLS binds tc.Listen and loads the certificate when HTTPS is
// configured.
func (s *Server) listenTLS(tc config.TLS) error {
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
	s.tls = t
	// NextProtos must name h2 before Serve or ServeTLS first runs: whichever
	// does sets HTTP/2 up once for both, and Serve skips it for a TLSConfig
	// without h2, which would leave ALPN offering an h2 nobody serves.
	s.srv.TLSConfig = &tls.Config{
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

// ReloadTLS reads the certificate and key files of tc again and serves the
// new certificate to every new connection; connections already open keep
// theirs. A file that does not load leaves the old certificate in place
// and is returned as the error. It does nothing when HTTPS is off.
func (s *Server) ReloadTLS(tc config.TLS) error {
	if s.tls == nil {
		return nil
	}
	if err := s.tls.load(tc.CertFile, tc.KeyFile); err != nil {
		s.log.Error("TLS certificate not reloaded; the old one stays", "error", err)
		return err
	}
	s.log.Info("TLS certificate reloaded", "cert_file", tc.CertFile)
	return nil
}

// InFlight reports the requests being served now and whether the server
// drains.
func (s *Server) InFlight() (n int, draining bool) {
	s.drain.mu.Lock()
	defer s.drain.mu.Unlock()
	return s.drain.active, s.drain.draining
}
