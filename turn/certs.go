package turn

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// certCheckEvery is how often a handshake may look for renewed files.
const certCheckEvery = 10 * time.Second

// TLSFromFiles returns a TLS config serving the PEM certificate chain and
// key in certFile and keyFile. It reads them now, and again on a handshake
// after either file changed (checked at most every ten seconds), so that a
// renewed certificate takes effect without a restart; a renewal that does
// not load keeps the previous certificate.
func TLSFromFiles(certFile, keyFile string) (*tls.Config, error) {
	cf := &certFiles{cert: certFile, key: keyFile}
	if err := cf.load(); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cf.get}, nil
}

// certFiles is a certificate loaded from files, reloaded when they change.
type certFiles struct {
	cert, key string

	mu      sync.Mutex
	current *tls.Certificate
	stamp   string // the files' sizes and modification times when loaded
	checked time.Time
}

// get implements tls.Config.GetCertificate.
func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) >= certCheckEvery {
		c.checked = time.Now()
		if s, err := c.stat(); err == nil && s != c.stamp {
			_ = c.loadLocked()
		}
	}
	return c.current, nil
}

func (c *certFiles) load() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checked = time.Now()
	return c.loadLocked()
}

func (c *certFiles) loadLocked() error {
	stamp, err := c.stat()
	if err != nil {
		return err
	}
	pair, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return fmt.Errorf("turn tls: %w", err)
	}
	c.current, c.stamp = &pair, stamp
	return nil
}

// stat summarizes both files' sizes and modification times.
func (c *certFiles) stat() (string, error) {
	var s string
	for _, name := range []string{c.cert, c.key} {
		fi, err := os.Stat(name)
		if err != nil {
			return "", fmt.Errorf("turn tls: %w", err)
		}
		s += fmt.Sprintf("%d/%d;", fi.Size(), fi.ModTime().UnixNano())
	}
	return s, nil
}
