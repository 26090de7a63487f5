package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults and bounds of the [senders] table and ingest.port_range.
const (
	defaultPortRange       = "40000-40999"
	defaultSendersListenIP = "0.0.0.0"
	defaultIdleTimeout     = time.Minute
	defaultMaxAPIStreams   = 100
	maxIdleTimeout         = 24 * time.Hour
	maxAPIStreamsCap       = 10000
	// OfferPlainRTP is the [senders] offer_srtp value (and the srtp query
	// parameter) that makes the gateway's own offers plain RTP.
	OfferPlainRTP = "none"
)

// Senders is the [senders] table: how streams are created at run time
// through the sender API (POST /api/v1/streams, from a sender's SDP offer
// or as the gateway's own offer). Such streams take their UDP port from
// ingest.port_range; they are never written to the config, reloads leave
// them alone, and they are removed once their sender has been silent for
// IdleTimeout.
type Senders struct {
	// ListenIP is the address the ports of API-created streams bind to.
	ListenIP string `toml:"listen_ip"`
	// SRTPSuites are the SDES crypto suites accepted in a sender's offer,
	// most preferred first: the answer takes the offered line whose suite
	// comes first here. Empty refuses every SRTP offer.
	SRTPSuites []string `toml:"srtp_suites"`
	// OfferSRTP is the suite of the gateway's own offers (a POST without a
	// body), or "none" for plain RTP. A request may ask for another.
	OfferSRTP string `toml:"offer_srtp"`
	// IdleTimeout removes an API-created stream whose sender has sent
	// nothing for this long (counted from its creation when it never did).
	IdleTimeout Duration `toml:"idle_timeout"`
	// MaxStreams caps the API-created streams alive at once; 0 turns
	// creation off.
	MaxStreams int `toml:"max_streams"`
}

// defaultSRTPSuites is the default preference: AEAD before counter mode,
// 256-bit keys before 128-bit ones, 80-bit tags before 32-bit ones.
func defaultSRTPSuites() []string {
	return []string{"AEAD_AES_256_GCM", "AEAD_AES_128_GCM", "AES_256_CM_HMAC_SHA1_80",
		"AES_CM_128_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32"}
}

// defaultSenders returns the defaults of the [senders] table.
func defaultSenders() Senders {
	return Senders{
		ListenIP:    defaultSendersListenIP,
		SRTPSuites:  defaultSRTPSuites(),
		OfferSRTP:   defaultSRTPSuite,
		IdleTimeout: Duration(defaultIdleTimeout),
		MaxStreams:  defaultMaxAPIStreams,
	}
}

// Ports returns the first and last port of ingest.port_range, and false
// when it does not parse (Validate reports why).
func (in Ingest) Ports() (first, last int, ok bool) {
	lo, hi, found := strings.Cut(in.PortRange, "-")
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if !found || err1 != nil || err2 != nil || a < 1 || b > 65535 || a > b {
		return 0, 0, false
	}
	return a, b, true
}

// validateSenders checks the [senders] table and ingest.port_range.
func (c *Config) validateSenders(p *problems) {
	s := c.Senders
	if a, err := netip.ParseAddr(s.ListenIP); err != nil || a.Zone() != "" || a.IsMulticast() {
		p.add("senders.listen_ip", "must be an IP address such as \"0.0.0.0\" or \"::\" (got %s)", quote(s.ListenIP))
	}
	for i, suite := range s.SRTPSuites {
		key := fmt.Sprintf("senders.srtp_suites[%d]", i)
		if _, err := SRTPProfile(suite); err != nil {
			p.add(key, "%v", err)
		} else if slices.Index(s.SRTPSuites, suite) < i {
			p.add(key, "%s is listed twice", quote(suite))
		}
	}
	if s.OfferSRTP != OfferPlainRTP {
		if _, err := SRTPProfile(s.OfferSRTP); err != nil {
			p.add("senders.offer_srtp", "%v, or \"none\" for plain RTP", err)
		}
	}
	p.durationIn("senders.idle_timeout", s.IdleTimeout, c.Ingest.SourceTimeout.D(), maxIdleTimeout)
	p.intIn("senders.max_streams", s.MaxStreams, 0, maxAPIStreamsCap)
	c.validatePortRange(p)
}

// validatePortRange checks that ingest.port_range parses. Ports of the
// range that a configured stream or the ICE port already holds are not an
// error: the gateway skips them, as it skips any port another process
// holds.
func (c *Config) validatePortRange(p *problems) {
	if _, _, ok := c.Ingest.Ports(); !ok {
		p.add("ingest.port_range", "must be \"first-last\", two ports from 1 to 65535 with first <= last, "+
			"such as %q (got %s)", defaultPortRange, quote(c.Ingest.PortRange))
	}
}
