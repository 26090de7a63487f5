package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// problems collects every *FieldError Validate finds.
type problems []error

// add records that the value at key is invalid.
func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...), Err: ErrInvalid})
}

// err joins the problems, or returns nil when there are none.
func (p problems) err() error { return errors.Join(p...) }

// intIn checks lo <= v <= hi.
func (p *problems) intIn(key string, v, lo, hi int) {
	if v < lo || v > hi {
		p.add(key, "must be from %d to %d (got %d)", lo, hi, v)
	}
}

// durationIn checks lo <= d <= hi.
func (p *problems) durationIn(key string, d Duration, lo, hi time.Duration) {
	if d.D() < lo || d.D() > hi {
		p.add(key, "must be from %v to %v (got %v)", lo, hi, d.D())
	}
}

// oneOf checks that v is one of allowed.
func (p *problems) oneOf(key, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		p.add(key, "must be one of %s (got %s)", oneOf(allowed), quote(v))
	}
}

// minTokenLen is the shortest bearer token accepted: 16 characters.
const minTokenLen = 16

// token checks a bearer token's length when it is set, never quoting it.
func (p *problems) token(key string, s Secret) {
	if n := len(s.Reveal()); s.IsSet() && n < minTokenLen {
		p.add(key, "must be at least %d characters when set (got %d)", minTokenLen, n)
	}
}

// quote quotes a (non-secret) value for a message, cut short when long so
// that a hostile file cannot make a huge error.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
