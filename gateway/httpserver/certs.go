package httpserver

import (
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/config"
)

// certExpiryDesc describes mediagate_tls_certificate_expiry_seconds.
var certExpiryDesc = prometheus.NewDesc("mediagate_tls_certificate_expiry_seconds",
	"Seconds until the TLS certificate of the listener expires (negative once it has), "+
		"as last loaded at start or reload.", []string{"listener"}, nil)

// Certificates checks the TLS certificates a config names (the HTTPS
// listener's and TURN's) and is the prometheus.Collector of their expiry,
// reporting the seconds left at scrape time. The zero value is ready.
type Certificates struct {
	mu       sync.Mutex
	notAfter map[string]time.Time
}

// Check loads the certificates cfg names (config.CheckCertificates): one
// that does not load is the error, which refuses the start or the reload.
// It warns on log about one that has expired or expires within
// config.ExpiryWarning, and keeps every expiry for the metric. The gateway
// calls it before New and Reload change anything.
func (c *Certificates) Check(cfg *config.Config, log *slog.Logger) error {
	certs, err := cfg.CheckCertificates()
	if err != nil {
		return err
	}
	now := time.Now()
	m := make(map[string]time.Time, len(certs))
	for _, cert := range certs {
		if w := cert.Warning(now); w != "" {
			log.Warn("TLS certificate", "listener", cert.Listener, "problem", w)
		}
		m[cert.Listener] = cert.NotAfter
	}
	c.mu.Lock()
	c.notAfter = m
	c.mu.Unlock()
	return nil
}

// Describe implements prometheus.Collector.
func (c *Certificates) Describe(ch chan<- *prometheus.Desc) { ch <- certExpiryDesc }

// Collect implements prometheus.Collector.
func (c *Certificates) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for listener, t := range c.notAfter {
		ch <- prometheus.MustNewConstMetric(certExpiryDesc, prometheus.GaugeValue, time.Until(t).Seconds(), listener)
	}
}
