package signal

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of the SDP grammar that this package enforces.
const (
	minUfrag       = 4   // RFC 8839 §5.4: ice-ufrag is 4 to 256 ice-chars
	minPwd         = 22  // RFC 8839 §5.4: ice-pwd is 22 to 256 ice-chars
	maxICECred     = 256 // upper bound of both
	maxFoundation  = 32  // RFC 8839 §5.1: foundation is 1 to 32 ice-chars
	maxCandidate   = 1024
	maxMid         = 64
	maxLineLength  = 4096
	candidateField = "candidate:"
)

// lines splits an SDP body into lines, accepting CRLF and bare LF (RFC 8866
// §5 asks parsers to be tolerant of LF), with trailing blanks removed.
// Empty lines are dropped.
func lines(body string) []string {
	raw := strings.Split(body, "\n")
	out := raw[:0]
	for _, l := range raw {
		l = strings.TrimRight(l, "\r \t")
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// checkText reports whether s is valid UTF-8 with no control characters
// other than tab, CR and LF.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f {
			return fmt.Errorf("control character 0x%02x at byte %d", c, i)
		}
	}
	return nil
}

// isICEChar reports whether c is an ice-char: ALPHA / DIGIT / "+" / "/"
// (RFC 8839 §5.1).
func isICEChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// isICEString reports whether s is between lo and hi ice-chars long.
func isICEString(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isICEChar(s[i]) {
			return false
		}
	}
	return true
}

// checkCredentials validates ice-ufrag and ice-pwd values (RFC 8839 §5.4).
func checkCredentials(ufrag, pwd string) error {
	if ufrag != "" && !isICEString(ufrag, minUfrag, maxICECred) {
		return fmt.Errorf("a=ice-ufrag must be %d-%d ice-chars", minUfrag, maxICECred)
	}
	if pwd != "" && !isICEString(pwd, minPwd, maxICECred) {
		return fmt.Errorf("a=ice-pwd must be %d-%d ice-chars", minPwd, maxICECred)
	}
	return nil
}

// isToken reports whether s is a non-empty RFC 8866 §9 token, the syntax of
// a media identification tag (RFC 5888 §4).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c == 0x21 || c >= 0x23 && c <= 0x27 || c == 0x2a || c == 0x2b ||
			c == 0x2d || c == 0x2e || c >= 0x30 && c <= 0x39 || c >= 0x41 && c <= 0x5a ||
			c >= 0x5e && c <= 0x7e
		if !ok {
			return false
		}
	}
	return true
}

// isAddress reports whether s can be a candidate's connection-address: an
// IPv4 or IPv6 address (with a zone) or a host name such as an mDNS
// ".local" name (RFC 8839 §5.1). Whether it resolves is not checked.
func isAddress(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == ':' || c == '-' || c == '_' || c == '%'
		if !ok {
			return false
		}
	}
	return true
}

// isDigits reports whether s is 1 to n ASCII digits.
func isDigits(s string, n int) bool {
	if s == "" || len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkCandidate validates the fixed part of a candidate attribute,
// "candidate:" foundation component transport priority address port "typ"
// type (RFC 8839 §5.1). It does not resolve the address: unsupported
// transports or addresses are the session's to discard (RFC 9725 §4.3.2).
func checkCandidate(attr string) error {
	if len(attr) > maxCandidate {
		return fmt.Errorf("candidate longer than %d bytes", maxCandidate)
	}
	value, ok := strings.CutPrefix(attr, candidateField)
	if !ok {
		return fmt.Errorf("not a candidate attribute")
	}
	f := strings.Fields(value)
	if len(f) < 8 {
		return fmt.Errorf("candidate has %d fields, want at least 8", len(f))
	}
	port, perr := strconv.Atoi(f[5])
	_, rerr := strconv.ParseUint(f[3], 10, 32)
	switch {
	case !isICEString(f[0], 1, maxFoundation):
		return fmt.Errorf("bad candidate foundation")
	case !isDigits(f[1], 3):
		return fmt.Errorf("bad candidate component")
	case !isToken(f[2]):
		return fmt.Errorf("bad candidate transport")
	case !isDigits(f[3], 10) || rerr != nil:
		return fmt.Errorf("bad candidate priority")
	case !isAddress(f[4]):
		return fmt.Errorf("bad candidate address")
	case !isDigits(f[5], 5) || perr != nil || port > 65535:
		return fmt.Errorf("bad candidate port")
	case f[6] != "typ" || !isToken(f[7]):
		return fmt.Errorf("bad candidate type")
	}
	return nil
}

// attribute splits an "a=" line's value into its name and value
// (RFC 8866 §5.13: a=<attribute-name>[:<attribute-value>]).
func attribute(line string) (name, value string, ok bool) {
	rest, ok := strings.CutPrefix(line, "a=")
	if !ok {
		return "", "", false
	}
	name, value, _ = strings.Cut(rest, ":")
	return name, value, true
}
