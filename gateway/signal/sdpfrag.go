package signal

import (
	"fmt"
	"strings"
)

// maxFragMedia bounds the m= sections of one fragment. With max-bundle a
// player sends only the offerer-tagged m-line (draft-ietf-wish-whep
// #trickle-ice), so a handful is generous.
const maxFragMedia = 16

// Frag is an application/trickle-ice-sdpfrag body (RFC 8840 §9): the ICE
// attributes of a session and the candidates of its m= sections.
type Frag struct {
	// ICELite is true when the fragment carries a=ice-lite.
	ICELite bool
	// ICEOptions is the value of a=ice-options ("trickle ice2"), if any.
	ICEOptions string
	// Group is the value of a=group ("BUNDLE 0 1"), if any.
	Group string
	// Ufrag and Pwd are the ICE credentials (RFC 8839 §5.4), from the
	// session level or any m= section; every occurrence must agree, as a
	// bundled session has one ICE agent.
	Ufrag, Pwd string
	// Media are the m= sections in order.
	Media []FragMedia
}

// FragMedia is one m= section of a Frag.
type FragMedia struct {
	// Line is the m= line without "m=" ("audio 9 UDP/TLS/RTP/SAVPF 111").
	// It is empty for a section of candidates that some players send
	// before any m= line; only Media[0] can be such a section.
	Line string
	// Mid is the value of a=mid (RFC 5888), if any.
	Mid string
	// Candidates are the candidate attributes without the "a=" prefix
	// ("candidate:1 1 udp 2130706431 192.0.2.1 39132 typ host").
	Candidates []string
	// EndOfCandidates is true when the section carries a=end-of-candidates.
	EndOfCandidates bool
}

// Candidate is one candidate attribute with the mid of its m= section.
type Candidate struct {
	Candidate string // "candidate:…", without "a="
	Mid       string // "" when the section has no a=mid
}

// ParseSDPFrag parses an application/trickle-ice-sdpfrag body (RFC 8840
// §9). Lines may end in CRLF or LF. Attributes other than ice-lite,
// ice-options, group, ice-ufrag, ice-pwd, mid, candidate and
// end-of-candidates, and lines other than a= and m=, are ignored after a
// syntax check. Errors wrap ErrMalformedFrag.
func ParseSDPFrag(body string) (Frag, error) {
	var f Frag
	if err := checkText(body); err != nil {
		return Frag{}, fmt.Errorf("%w: %w", ErrMalformedFrag, err)
	}
	for n, line := range lines(body) {
		if err := f.parseLine(line); err != nil {
			return Frag{}, fmt.Errorf("%w: line %d: %w", ErrMalformedFrag, n+1, err)
		}
	}
	return f, nil
}

// parseLine applies one non-empty line to f.
func (f *Frag) parseLine(line string) error {
	if len(line) > maxLineLength {
		return fmt.Errorf("line longer than %d bytes", maxLineLength)
	}
	if len(line) < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z' {
		return fmt.Errorf("not an SDP line")
	}
	if strings.ContainsRune(line, '\r') {
		return fmt.Errorf("CR inside a line")
	}
	switch line[0] {
	case 'm':
		return f.addMedia(line[2:])
	case 'a':
		name, value, _ := attribute(line)
		return f.parseAttribute(name, value)
	}
	return nil
}

// addMedia starts a new m= section.
func (f *Frag) addMedia(value string) error {
	if len(f.Media) >= maxFragMedia {
		return fmt.Errorf("more than %d m= sections", maxFragMedia)
	}
	fields := strings.Fields(value)
	if len(fields) < 4 || !isToken(fields[0]) || !isDigits(fields[1], 5) {
		return fmt.Errorf("bad m= line")
	}
	f.Media = append(f.Media, FragMedia{Line: strings.Join(fields, " ")})
	return nil
}

// parseAttribute applies one a= attribute to f.
func (f *Frag) parseAttribute(name, value string) error {
	switch name {
	case "ice-lite":
		f.ICELite = true
	case "ice-options":
		f.ICEOptions = strings.Join(strings.Fields(value), " ")
	case "group":
		f.Group = strings.Join(strings.Fields(value), " ")
	case "ice-ufrag":
		return setCredential(&f.Ufrag, value, "ice-ufrag", minUfrag)
	case "ice-pwd":
		return setCredential(&f.Pwd, value, "ice-pwd", minPwd)
	case "mid":
		return f.current().setMid(value)
	case "candidate":
		attr := candidateField + value
		if err := checkCandidate(attr); err != nil {
			return err
		}
		m := f.current()
		m.Candidates = append(m.Candidates, attr)
	case "end-of-candidates":
		f.current().EndOfCandidates = true
	}
	return nil
}

// setCredential stores an ICE credential, refusing a malformed value or
// one that contradicts an earlier occurrence.
func setCredential(dst *string, value, name string, minLen int) error {
	if !isICEString(value, minLen, maxICECred) {
		return fmt.Errorf("a=%s must be %d-%d ice-chars", name, minLen, maxICECred)
	}
	if *dst != "" && *dst != value {
		return fmt.Errorf("conflicting a=%s values", name)
	}
	*dst = value
	return nil
}

// setMid stores the section's mid.
func (m *FragMedia) setMid(value string) error {
	if !isToken(value) || len(value) > maxMid {
		return fmt.Errorf("bad a=mid")
	}
	if m.Mid != "" {
		return fmt.Errorf("two a=mid in one m= section")
	}
	m.Mid = value
	return nil
}

// current returns the section that attributes apply to, opening the
// implicit leading section when no m= line has been seen.
func (f *Frag) current() *FragMedia {
	if len(f.Media) == 0 {
		f.Media = append(f.Media, FragMedia{})
	}
	return &f.Media[len(f.Media)-1]
}

// Candidates returns every candidate of the fragment with its section's mid.
func (f Frag) Candidates() []Candidate {
	var out []Candidate
	for _, m := range f.Media {
		for _, c := range m.Candidates {
			out = append(out, Candidate{Candidate: c, Mid: m.Mid})
		}
	}
	return out
}

// CandidateCount returns the number of candidates in the fragment.
func (f Frag) CandidateCount() int {
	n := 0
	for _, m := range f.Media {
		n += len(m.Candidates)
	}
	return n
}

// String formats f as an application/trickle-ice-sdpfrag body with CRLF
// line endings, in the layout of the examples of RFC 8840 §4.4 and RFC 9725
// §4.3.3: session attributes, then each m= section with its mid, the ICE
// credentials (in the first section) and its candidates. ParseSDPFrag of
// the result yields f again.
func (f Frag) String() string {
	var b strings.Builder
	put := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	if f.ICELite {
		put("a=ice-lite")
	}
	if f.ICEOptions != "" {
		put("a=ice-options:%s", f.ICEOptions)
	}
	if f.Group != "" {
		put("a=group:%s", f.Group)
	}
	credsInMedia := len(f.Media) > 0 && f.Media[0].Line != ""
	if !credsInMedia {
		f.putCredentials(put)
	}
	for i, m := range f.Media {
		if m.Line != "" {
			put("m=%s", m.Line)
		}
		if m.Mid != "" {
			put("a=mid:%s", m.Mid)
		}
		if i == 0 && credsInMedia {
			f.putCredentials(put)
		}
		for _, c := range m.Candidates {
			put("a=%s", c)
		}
		if m.EndOfCandidates {
			put("a=end-of-candidates")
		}
	}
	return b.String()
}

// putCredentials writes the ice-ufrag and ice-pwd lines that are set.
func (f Frag) putCredentials(put func(string, ...any)) {
	if f.Ufrag != "" {
		put("a=ice-ufrag:%s", f.Ufrag)
	}
	if f.Pwd != "" {
		put("a=ice-pwd:%s", f.Pwd)
	}
}
