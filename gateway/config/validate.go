package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"time"
)

// Bounds Validate enforces on the global settings.
const (
	minTimeout      = time.Second
	maxTimeout      = 10 * time.Minute
	minMaxBodyBytes = 1 << 10
	maxMaxBodyBytes = 1 << 20
	maxSessionsCap  = 100000
	minQueueDepth   = 16
	maxQueueDepth   = 65536
	minReadBuffer   = 1500
	maxReadBuffer   = 65536
	maxSocketBuffer = 64 << 20
	minSetupTimeout = time.Second
	maxSetupTimeout = 5 * time.Minute
	minRRInterval   = 100 * time.Millisecond
	maxRRInterval   = time.Minute
)

// Validate checks every setting and returns all the problems it finds, joined
// with errors.Join; each is a *FieldError naming its key path, such as
// "stream[0].srtp.key: must decode to 30 bytes for AES_CM_128_HMAC_SHA1_80
// (got 16)". It does not fill defaults (see Stream.FillDefaults) and never
// quotes a secret. It returns nil for a usable config.
func (c *Config) Validate() error {
	var p problems
	c.Log.validate(&p)
	c.HTTP.validate(&p)
	c.WebRTC.validate(&p)
	c.Ingest.validate(&p)
	c.Debug.validate(&p)
	c.validateTLS(&p)
	c.validateSenders(&p)
	c.validateWebhooks(&p)
	c.Turn.validate(&p)
	c.validateTurn(&p)
	for i := range c.Streams {
		c.Streams[i].validate(&p, fmt.Sprintf("stream[%d]", i))
	}
	c.validateNames(&p)
	c.validateBindings(&p)
	return p.err()
}

func (l *Log) validate(p *problems) {
	p.oneOf("log.level", l.Level, logLevels)
	p.oneOf("log.format", l.Format, logFormats)
}

func (h *HTTP) validate(p *problems) {
	if _, err := parseEndpoint(h.Listen); err != nil {
		p.add("http.listen", "%v", err)
	}
	p.token("http.admin_token", h.AdminToken)
	for i, o := range h.CORSOrigins {
		if err := checkOrigin(o); err != nil {
			p.add(fmt.Sprintf("http.cors_origins[%d]", i), "%v", err)
		}
	}
	for i, o := range h.FrameAncestors {
		if err := checkFrameAncestor(o); err != nil {
			p.add(fmt.Sprintf("http.frame_ancestors[%d]", i), "%v", err)
		}
	}
	if h.MaxBodyBytes < minMaxBodyBytes || h.MaxBodyBytes > maxMaxBodyBytes {
		p.add("http.max_body_bytes", "must be from %d to %d (got %d)", minMaxBodyBytes, maxMaxBodyBytes, h.MaxBodyBytes)
	}
	p.durationIn("http.read_header_timeout", h.ReadHeaderTimeout, minTimeout, maxTimeout)
	p.durationIn("http.read_timeout", h.ReadTimeout, minTimeout, maxTimeout)
	p.durationIn("http.write_timeout", h.WriteTimeout, minTimeout, maxTimeout)
	p.durationIn("http.idle_timeout", h.IdleTimeout, minTimeout, maxTimeout)
}

// checkOrigin accepts "*" or a browser origin: scheme://host[:port], with
// nothing after it (RFC 6454 §6.1).
func checkOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf(`must be "*" or an origin such as "https://example.com:8443" (got %s)`, quote(o))
	}
	return nil
}

// frameAncestorRE is a CSP host-source that names one origin:
// scheme://host[:port], the host a DNS name (its first label may be "*",
// any subdomain), an IPv4 address or a bracketed IPv6 address. Nothing in
// it can end the directive or start another.
var frameAncestorRE = regexp.MustCompile(`^https?://(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

// checkFrameAncestor accepts "'self'", "*" or one origin, for the player
// pages' CSP frame-ancestors directive (CSP Level 3 §6.4.2).
func checkFrameAncestor(o string) error {
	if o == "'self'" || o == "*" || (len(o) <= 253 && frameAncestorRE.MatchString(o)) {
		return nil
	}
	return fmt.Errorf(`must be "'self'", "*" or an origin such as "https://intranet.example.com" or "https://*.example.com" (got %s)`, quote(o))
}

func (w *WebRTC) validate(p *problems) {
	p.intIn("webrtc.udp_port", w.UDPPort, 1, 65535)
	p.intIn("webrtc.tcp_port", w.TCPPort, 0, 65535)
	for i, name := range w.Interfaces {
		if name == "" {
			p.add(fmt.Sprintf("webrtc.interfaces[%d]", i), "must be an interface name such as \"eth0\"")
		}
	}
	for i, ip := range w.PublicIPs {
		key := fmt.Sprintf("webrtc.public_ips[%d]", i)
		a, err := netip.ParseAddr(ip)
		switch {
		case err != nil:
			p.add(key, "must be an IP address (got %s)", quote(ip))
		case a.IsUnspecified() || a.IsMulticast() || a.Zone() != "":
			p.add(key, "must be a unicast address a browser can reach (got %s)", quote(ip))
		}
	}
	p.intIn("webrtc.max_sessions", w.MaxSessions, 1, maxSessionsCap)
	p.durationIn("webrtc.setup_timeout", w.SetupTimeout, minSetupTimeout, maxSetupTimeout)
	p.intIn("webrtc.queue_depth", w.QueueDepth, minQueueDepth, maxQueueDepth)
	p.intIn("webrtc.max_bridges", w.MaxBridges, 0, maxMaxBridges)
}

func (in *Ingest) validate(p *problems) {
	p.intIn("ingest.read_buffer", in.ReadBuffer, minReadBuffer, maxReadBuffer)
	p.intIn("ingest.socket_buffer", in.SocketBuffer, 0, maxSocketBuffer)
	p.durationIn("ingest.source_timeout", in.SourceTimeout, minTimeout, maxTimeout)
	p.durationIn("ingest.receiver_report_interval", in.ReceiverReportInterval, minRRInterval, maxRRInterval)
}
