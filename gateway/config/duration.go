package config

import (
	"fmt"
	"strconv"
	"time"
)

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats d the way Go does ("1m30s").
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d as a Go duration string, so a Duration round-trips
// through TOML and JSON.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration string such as "5s" or "250ms".
func (d *Duration) UnmarshalText(text []byte) error {
	s := string(text)
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return fmt.Errorf("%w: %q has no unit; write it with one, such as \"%ss\"", ErrDuration, s, s)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%w: %q is not a duration such as \"5s\" or \"250ms\"", ErrDuration, s)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalTOML is called by BurntSushi/toml with the raw TOML value. It
// accepts only strings: toml would read a bare integer as nanoseconds, so
// `timeout = 30` is refused rather than becoming 30ns.
func (d *Duration) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		return d.UnmarshalText([]byte(v))
	case int64:
		return fmt.Errorf("%w: must be a string such as \"5s\"; a bare integer would be nanoseconds (got %d)",
			ErrDuration, v)
	default:
		return fmt.Errorf("%w: must be a string such as \"5s\" (got a TOML %s)", ErrDuration, tomlTypeName(v))
	}
}

// tomlTypeName names the TOML type of a decoded value for error messages.
func tomlTypeName(v any) string {
	switch v.(type) {
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case string:
		return "string"
	case time.Time:
		return "datetime"
	case []any, []map[string]any:
		return "array"
	case map[string]any:
		return "table"
	default:
		return fmt.Sprintf("%T", v)
	}
}
