package signal

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CORS applies the Fetch standard's CORS protocol for a list of allowed
// origins. WHIP and WHEP clients in browsers need it (draft-ietf-wish-whep requires
// OPTIONS support for CORS). The zero value allows no origin.
type CORS struct {
	// Origins are the allowed origins ("https://player.example"); "*"
	// allows every origin. A trailing slash is ignored.
	Origins []string
	// Methods is the Access-Control-Allow-Methods value of a preflight.
	Methods string
	// Headers is the Access-Control-Allow-Headers value of a preflight.
	Headers string
	// Expose is the Access-Control-Expose-Headers value of every response
	// to an allowed origin; without it a player cannot read Location, ETag
	// or Link.
	Expose string
	// MaxAge is how long a browser may cache a preflight.
	MaxAge time.Duration
}

// IsPreflight reports whether r is a CORS preflight: an OPTIONS request
// with Access-Control-Request-Method. Players never send Authorization on
// a preflight (RFC 9725 §4.7.1), so a preflight must never be answered 401.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// wildcard reports whether every origin is allowed.
func (c CORS) wildcard() bool {
	for _, o := range c.Origins {
		if o == "*" {
			return true
		}
	}
	return false
}

// allowed reports whether origin is in the list.
func (c CORS) allowed(origin string) bool {
	if origin == "" {
		return false
	}
	for _, o := range c.Origins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

// AddHeaders adds Access-Control-Allow-Origin and -Expose-Headers to h
// when r comes from an allowed origin; a request from any other origin gets
// neither. When the answer depends on the origin, Vary: Origin tells caches.
func (c CORS) AddHeaders(h http.Header, r *http.Request) {
	wild := c.wildcard()
	if !wild && len(c.Origins) > 0 {
		h.Add("Vary", "Origin")
	}
	origin := r.Header.Get("Origin")
	if !c.allowed(origin) {
		return
	}
	if wild {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if c.Expose != "" {
		h.Set("Access-Control-Expose-Headers", c.Expose)
	}
}

// AddPreflight adds the preflight answer's Allow-Methods, Allow-Headers and
// Max-Age to h when r comes from an allowed origin. AddHeaders must have
// been called for the Allow-Origin header.
func (c CORS) AddPreflight(h http.Header, r *http.Request) {
	if !c.allowed(r.Header.Get("Origin")) {
		return
	}
	h.Set("Access-Control-Allow-Methods", c.Methods)
	h.Set("Access-Control-Allow-Headers", c.Headers)
	if c.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(int(c.MaxAge/time.Second)))
	}
}
