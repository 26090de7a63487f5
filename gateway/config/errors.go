package config

import (
	"errors"
	"strconv"
	"strings"
)

// Errors about the file itself, before any TOML is read.
var (
	// ErrNotRegular reports a path that names a directory, device or pipe.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge reports a file larger than MaxFileSize.
	ErrTooLarge = errors.New("file too large")
	// ErrEncoding reports a file that is not UTF-8 text.
	ErrEncoding = errors.New("not UTF-8 text")
	// ErrWorldReadable reports a file that holds secrets and that every
	// local user may read (see CheckFileMode).
	ErrWorldReadable = errors.New("file holding secrets is world-readable")
)

// Errors that classify a *FieldError.
var (
	// ErrSyntax marks a TOML syntax error, such as a duplicate key.
	ErrSyntax = errors.New("syntax error")
	// ErrType marks a value of the wrong TOML type for its key.
	ErrType = errors.New("wrong type")
	// ErrUnknownKey marks a key the schema does not have (usually a typo).
	ErrUnknownKey = errors.New("unknown key")
	// ErrInvalid marks a value that decoded but is not allowed.
	ErrInvalid = errors.New("invalid value")
)

// Errors of the SRTP helpers.
var (
	// ErrUnknownSuite reports an SRTP suite name mediagate does not support.
	ErrUnknownSuite = errors.New("unknown SRTP suite")
	// ErrNullSuite reports an SRTP suite that authenticates but does not
	// encrypt; mediagate refuses those.
	ErrNullSuite = errors.New("SRTP NULL cipher suites do not encrypt and are refused")
	// ErrKeyEncoding reports an SRTP key that is not standard base64.
	ErrKeyEncoding = errors.New("SRTP key is not standard base64")
	// ErrKeyLength reports an SRTP key of the wrong length for its suite.
	ErrKeyLength = errors.New("SRTP key has the wrong length")
)

// ErrDuration reports a duration that is not a Go duration string, from
// Duration.UnmarshalText and Duration.UnmarshalTOML.
var ErrDuration = errors.New("invalid duration")

// FieldError is one problem in a configuration, named by the key path it is
// about (for example "stream[0].srtp.key"). Its message never contains a
// secret value.
type FieldError struct {
	// Key is the key path, with array indexes; empty for a syntax error that
	// is not about one key.
	Key string
	// Line and Column locate the problem in the file (1-based), or are 0
	// when the position is unknown or ambiguous.
	Line, Column int
	// Msg says what is wrong and what is allowed.
	Msg string
	// Err classifies the problem: ErrEncoding, ErrSyntax, ErrType,
	// ErrUnknownKey or ErrInvalid.
	Err error
}

// Error formats the problem as "line L, column C: key: message", leaving out
// the parts that are unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(", column ")
			b.WriteString(strconv.Itoa(e.Column))
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the error's class, so errors.Is(err, ErrInvalid) works on
// the joined errors Parse and Validate return.
func (e *FieldError) Unwrap() error { return e.Err }
