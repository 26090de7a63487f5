package config

import (
	"fmt"
	"log/slog"
	"strconv"
)

// redacted is what a non-empty Secret shows instead of its value.
const redacted = "[redacted]"

// Reveal returns the secret value itself, for the code that must compare or
// use it. Never log or format what it returns.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret has a value.
func (s Secret) IsSet() bool { return s != "" }

// String returns "[redacted]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the quoted redaction, so %#v never shows the value.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format writes the redaction for every verb, including %d and %x, which
// would otherwise bypass String.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q' || (verb == 'v' && f.Flag('#')):
		_, _ = f.Write([]byte(s.GoString()))
	default:
		_, _ = f.Write([]byte(s.String()))
	}
}

// LogValue makes slog log the redaction.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText makes encoders (JSON, TOML) write the redaction.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
