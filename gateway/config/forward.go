package config

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"
)

// Forward is one [[stream.forward]] table: while the stream has a source,
// mediagate publishes it by WHIP (RFC 9725) to URL, another server or an
// SFU cluster, as the client side of the protocol (gateway/forward).
type Forward struct {
	// URL is the WHIP endpoint, http:// or https://.
	URL string `toml:"url"`
	// Token is the bearer token presented to the endpoint; TokenFile names
	// a file holding it instead (read at each attempt, so a rotated token
	// needs no reload). At most one of the two; neither means no
	// Authorization header.
	Token     Secret `toml:"token"`
	TokenFile string `toml:"token_file"`
	// RequestTimeout bounds each HTTP request to the endpoint.
	RequestTimeout Duration `toml:"request_timeout"`
	// RetryMin and RetryMax bound the wait before the next attempt after a
	// failure: it doubles from RetryMin up to RetryMax, with jitter.
	RetryMin Duration `toml:"retry_min"`
	RetryMax Duration `toml:"retry_max"`
	// MaxRedirects bounds the 307/308 redirects followed per request.
	MaxRedirects int `toml:"max_redirects"`
}

// Defaults and bounds of the forward and WHEP-pull keys.
const (
	defaultForwardTimeout   = 10 * time.Second
	defaultForwardRetryMin  = time.Second
	defaultForwardRetryMax  = 30 * time.Second
	defaultForwardRedirects = 5
	defaultWHEPLinger       = 10 * time.Second
	maxForwards             = 16
	maxForwardURLLen        = 2048
	maxTokenFileBytes       = 4096
	maxRedirectsCap         = 20
)

func (f *Forward) fillDefaults() {
	if f.RequestTimeout == 0 {
		f.RequestTimeout = Duration(defaultForwardTimeout)
	}
	if f.RetryMin == 0 {
		f.RetryMin = Duration(defaultForwardRetryMin)
	}
	if f.RetryMax == 0 {
		f.RetryMax = Duration(max(defaultForwardRetryMax, f.RetryMin.D()))
	}
	if f.MaxRedirects == 0 {
		f.MaxRedirects = defaultForwardRedirects
	}
}

// validate checks f; key is its path, "stream[i].forward[j]".
func (f *Forward) validate(p *problems, key string) {
	checkHTTPURL(p, key+".url", f.URL)
	checkTokenSource(p, key+".token", key+".token_file", f.Token, f.TokenFile)
	p.durationIn(key+".request_timeout", f.RequestTimeout, 100*time.Millisecond, time.Minute)
	p.durationIn(key+".retry_min", f.RetryMin, 10*time.Millisecond, time.Hour)
	p.durationIn(key+".retry_max", f.RetryMax, 10*time.Millisecond, time.Hour)
	if f.RetryMax < f.RetryMin {
		p.add(key+".retry_max", "must not be below retry_min (%v < %v)", f.RetryMax.D(), f.RetryMin.D())
	}
	p.intIn(key+".max_redirects", f.MaxRedirects, 1, maxRedirectsCap)
}

// validateForwards checks the stream's [[stream.forward]] tables.
func (s *Stream) validateForwards(p *problems, key string) {
	if len(s.Forward) > maxForwards {
		p.add(key+".forward", "at most %d forwards per stream (got %d)", maxForwards, len(s.Forward))
	}
	seen := map[string]int{}
	for i := range s.Forward {
		fk := fmt.Sprintf("%s.forward[%d]", key, i)
		s.Forward[i].validate(p, fk)
		if j, dup := seen[s.Forward[i].URL]; dup {
			p.add(fk+".url", "is already the url of forward[%d]", j)
		}
		seen[s.Forward[i].URL] = i
	}
}

// validateWHEP checks a stream whose source pulls from a WHEP server, and
// refuses the whep_* keys on any other.
func (s *Stream) validateWHEP(p *problems, key string) {
	if s.Source != SourceWHEP {
		for k, set := range map[string]bool{"whep_url": s.WHEPURL != "", "whep_token": s.WHEPToken.IsSet(),
			"whep_token_file": s.WHEPTokenFile != "", "whep_linger": s.WHEPLinger != 0} {
			if set {
				p.add(key+"."+k, "applies only to source %q", SourceWHEP)
			}
		}
		return
	}
	for k, set := range map[string]bool{"listen": s.Listen != "", "rtcp_listen": s.RTCPListen != "", "srtp": s.SRTP != nil} {
		if set {
			p.add(key+"."+k, "applies only to source %q", SourceRTP)
		}
	}
	checkHTTPURL(p, key+".whep_url", s.WHEPURL)
	checkTokenSource(p, key+".whep_token", key+".whep_token_file", s.WHEPToken, s.WHEPTokenFile)
	p.durationIn(key+".whep_linger", s.WHEPLinger, 0, time.Hour)
	if s.Video != nil && s.Video.Codec != CodecH264 && s.Video.Codec != CodecVP8 {
		p.add(key+".video.codec", "must be %q or %q for source %q (got %s)", CodecH264, CodecVP8, SourceWHEP, quote(s.Video.Codec))
	}
	if s.Audio != nil && s.Audio.Codec != CodecOpus && s.Audio.Codec != CodecPCMU && s.Audio.Codec != CodecPCMA {
		p.add(key+".audio.codec", "must be %q, %q or %q for source %q (got %s)", CodecOpus, CodecPCMU, CodecPCMA,
			SourceWHEP, quote(s.Audio.Codec))
	}
}

// checkHTTPURL requires an absolute http:// or https:// URL with a host.
func checkHTTPURL(p *problems, key, raw string) {
	if raw == "" {
		p.add(key, "required: an http:// or https:// URL")
		return
	}
	if len(raw) > maxForwardURLLen {
		p.add(key, "must be at most %d characters (got %d)", maxForwardURLLen, len(raw))
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		p.add(key, "must be an http:// or https:// URL with a host and no user info (got %s)", quote(raw))
	}
}

// checkTokenSource allows a token or a token file, not both, and checks
// that the file can be read and holds a token.
func checkTokenSource(p *problems, tokenKey, fileKey string, token Secret, file string) {
	if token.IsSet() && file != "" {
		p.add(fileKey, "set either %s or this, not both", tokenKey[strings.LastIndexByte(tokenKey, '.')+1:])
		return
	}
	if file == "" {
		return
	}
	if _, err := ReadTokenFile(file); err != nil {
		p.add(fileKey, "%v", err)
	}
}

// ReadTokenFile reads a bearer token from a file: its content with the
// surrounding white space trimmed, at most 4 KiB, not empty. The error
// never carries the content.
func ReadTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the token file: %w", err)
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxTokenFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("cannot read the token file: %w", err)
	}
	if len(buf) > maxTokenFileBytes {
		return "", fmt.Errorf("token file %s is larger than %d bytes", quote(path), maxTokenFileBytes)
	}
	tok := strings.TrimSpace(string(buf))
	if tok == "" || strings.ContainsAny(tok, "\r\n") {
		return "", fmt.Errorf("token file %s must hold one token on one line", quote(path))
	}
	return tok, nil
}
