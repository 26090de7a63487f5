package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// MaxFileSize is the largest configuration Load and Parse accept, in bytes.
const MaxFileSize = 1 << 20

// utf8BOM is the UTF-8 byte order mark some editors write at the start.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Load reads the configuration file at path and returns it with defaults
// filled and validated. It refuses a missing or unreadable file, anything
// but a regular file (a directory, a FIFO), a file larger than MaxFileSize
// and one that is not UTF-8. Problems inside the file come back joined, each
// a *FieldError naming its key path (see Parse).
func Load(path string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// readFile reads path after checking, before opening it, that it is a
// regular file of acceptable size (opening a FIFO would block).
func readFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (it is a %s)", path, ErrNotRegular, fileKind(info.Mode()))
	}
	if info.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d", path, ErrTooLarge, info.Size(), MaxFileSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read one byte past the cap, so a file that grew since Stat is caught.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	default:
		return "special file"
	}
}

// Parse decodes a configuration from data in the fixed order: Default, strict
// TOML decode over it, Stream.FillDefaults for each stream, Validate. On
// failure it returns the problems it found, joined with errors.Join. Each is
// a *FieldError naming its key path (syntax and type errors also carry a line
// and column), except for data larger than MaxFileSize (ErrTooLarge), and
// errors.Is tells their class: ErrEncoding, ErrSyntax, ErrType,
// ErrUnknownKey or ErrInvalid. A syntax or type error stops it early;
// unknown keys are reported together with every problem Validate finds.
func Parse(data []byte) (*Config, error) {
	text, err := checkText(data)
	if err != nil {
		return nil, err
	}
	cfg := Default()
	unknown, err := decode(text, cfg)
	if err != nil {
		return nil, err
	}
	for i := range cfg.Streams {
		cfg.Streams[i].FillDefaults()
	}
	problems := unknown
	if err := cfg.Validate(); err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			problems = append(problems, j.Unwrap()...)
		} else {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return cfg, nil
}

// checkText enforces the size cap and the encoding, strips a UTF-8 byte
// order mark and returns the text to decode.
func checkText(data []byte) (string, error) {
	if len(data) > MaxFileSize {
		return "", fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxFileSize)
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "", &FieldError{Line: 1, Column: 1, Err: ErrEncoding,
			Msg: "the file is UTF-16; save it as UTF-8"}
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		line, col := invalidUTF8At(data)
		return "", &FieldError{Line: line, Column: col, Err: ErrEncoding,
			Msg: "not UTF-8 text; save the file as UTF-8"}
	}
	return string(data), nil
}

// invalidUTF8At returns the 1-based line and column (in bytes) of the first
// byte of data that is not valid UTF-8.
func invalidUTF8At(data []byte) (line, col int) {
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return line, i - start + 1
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += n
	}
	return line, len(data) - start + 1
}

// CheckFileMode reports ErrWorldReadable when cfg holds a secret (a token or
// an SRTP key) and the file at path is readable by every local user. The
// caller decides whether that is a warning or a refusal; Load does not call
// it, so that a file's permissions never change what it means.
func CheckFileMode(path string, cfg *Config) error {
	if !cfg.hasSecrets() {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o004 != 0 {
		return fmt.Errorf("%s: %w (mode %v); chmod o-r it", path, ErrWorldReadable, info.Mode().Perm())
	}
	return nil
}

func (c *Config) hasSecrets() bool {
	if c.HTTP.AdminToken.IsSet() || len(c.Webhooks) > 0 || c.Turn.hasSecrets() {
		return true
	}
	for _, s := range c.Streams {
		if s.ViewerToken.IsSet() || (s.SRTP != nil && s.SRTP.Key.IsSet()) {
			return true
		}
	}
	return false
}
