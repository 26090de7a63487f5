package config

// TLS is the [http.tls] table: an HTTPS listener beside the plain HTTP one,
// serving the same routes. Browsers need HTTPS for anything that is not on
// localhost (getUserMedia for WHIP, secure contexts), so a gateway reached
// over the network usually sets it.
type TLS struct {
	// Listen is the TCP address of the HTTPS listener, host:port. Empty
	// (the default) turns HTTPS off.
	Listen string `toml:"listen"`
	// CertFile is a PEM file holding the certificate chain, leaf first.
	// The gateway reads it at start and again on every reload.
	CertFile string `toml:"cert_file"`
	// KeyFile is the PEM file holding the certificate's private key.
	KeyFile string `toml:"key_file"`
}

// Enabled reports whether HTTPS is configured.
func (t TLS) Enabled() bool { return t.Listen != "" }

// validateTLS checks the [http.tls] table: the address, both files when
// HTTPS is on, and that the HTTPS port takes no TCP port another listener
// of this config holds.
func (c *Config) validateTLS(p *problems) {
	t := c.HTTP.TLS
	if !t.Enabled() {
		if t.CertFile != "" || t.KeyFile != "" {
			p.add("http.tls.listen", "required when http.tls.cert_file or http.tls.key_file is set, "+
				"such as \"0.0.0.0:8443\"")
		}
		return
	}
	ep, err := parseEndpoint(t.Listen)
	if err != nil {
		p.add("http.tls.listen", "%v", err)
	}
	if t.CertFile == "" {
		p.add("http.tls.cert_file", "required with http.tls.listen: a PEM certificate chain file")
	}
	if t.KeyFile == "" {
		p.add("http.tls.key_file", "required with http.tls.listen: a PEM private key file")
	}
	if err != nil {
		return
	}
	if other, err := parseEndpoint(c.HTTP.Listen); err == nil && collide(ep, other) {
		p.add("http.tls.listen", "TCP port %d is already taken by http.listen", ep.port)
	}
	if tcp := c.WebRTC.TCPPort; tcp > 0 && tcp <= 65535 && collide(ep, endpoint{port: uint16(tcp)}) {
		p.add("http.tls.listen", "TCP port %d is already taken by webrtc.tcp_port", ep.port)
	}
}

// collide reports whether two bindings of one protocol take the same port:
// the same port on the same address, or on any address when either is a
// wildcard.
func collide(a, b endpoint) bool {
	return a.port == b.port && (a.wildcard() || b.wildcard() || a.addr == b.addr)
}
