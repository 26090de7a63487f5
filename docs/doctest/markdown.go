package doctest

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// markerLine matches a doctest marker: an HTML comment on a line of its own.
var markerLine = regexp.MustCompile(`^\s*<!--\s*doctest:(.*?)-->\s*$`)

// Step is one marker of a page, with the fenced block after it when there
// is one.
type Step struct {
	Line int               // the marker's line, from 1
	Args map[string]string // the marker's words: key=value, or key with ""
	Kind string            // run, background, file, gateway, stop, restart, await, rerun
	Lang string            // the block's info string ("sh", "toml"); "" without a block
	Body string            // the block's text; "" without a block
}

// blockKinds mark the block after them; the others stand alone.
var blockKinds = map[string]bool{"run": true, "background": true, "file": true}

// knownArgs are every key a marker may hold.
var knownArgs = map[string]bool{
	"run": true, "background": true, "file": true, "gateway": true, "stop": true,
	"restart": true, "await": true, "rerun": true,
	"id": true, "expect": true, "retry": true, "timeout": true, "ready": true, "newshell": true,
}

// Parse returns the steps of a Markdown page in order. A marker followed
// (after blank lines) by a fence marks that block; one followed by
// anything else stands alone. Unknown keys, bad durations or expressions
// and unterminated blocks are errors, so a marker cannot be ignored
// silently.
func Parse(page []byte) ([]Step, error) {
	var steps []Step
	sc := bufio.NewScanner(bytes.NewReader(page))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var pending *Step
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if m := markerLine.FindStringSubmatch(line); m != nil {
			if pending != nil {
				steps = append(steps, *pending)
			}
			st, err := parseMarker(n, m[1])
			if err != nil {
				return nil, err
			}
			pending = &st
			continue
		}
		if strings.Contains(line, "<!--") && strings.Contains(line, "doctest") {
			return nil, fmt.Errorf("line %d: malformed doctest marker %q", n, line)
		}
		if pending == nil || strings.TrimSpace(line) == "" {
			continue
		}
		if fence, lang, ok := openFence(line); ok && blockKinds[pending.Kind] {
			body, read, err := readBlock(sc, fence)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			pending.Lang, pending.Body = lang, body
			n += read
		} else if blockKinds[pending.Kind] {
			return nil, fmt.Errorf("line %d: marker %q is not followed by a fenced block", pending.Line, pending.Kind)
		}
		steps = append(steps, *pending)
		pending = nil
	}
	if pending != nil {
		if blockKinds[pending.Kind] {
			return nil, fmt.Errorf("line %d: marker %q at the end of the page", pending.Line, pending.Kind)
		}
		steps = append(steps, *pending)
	}
	return steps, sc.Err()
}

// openFence reports whether line opens a fenced block, with its fence
// ("```") and info string.
func openFence(line string) (fence, lang string, ok bool) {
	t := strings.TrimLeft(line, " ")
	if !strings.HasPrefix(t, "```") {
		return "", "", false
	}
	rest := strings.TrimLeft(t, "`")
	fence = t[:len(t)-len(rest)]
	return fence, strings.TrimSpace(rest), true
}

// readBlock reads up to the closing fence and returns the text and the
// number of lines read.
func readBlock(sc *bufio.Scanner, fence string) (string, int, error) {
	var b strings.Builder
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == fence {
			return b.String(), n, nil
		}
		b.WriteString(sc.Text())
		b.WriteByte('\n')
	}
	return "", 0, fmt.Errorf("unterminated %s block", fence)
}

// parseMarker parses the words of a marker.
func parseMarker(line int, text string) (Step, error) {
	words, err := splitWords(text)
	if err != nil {
		return Step{}, fmt.Errorf("line %d: %w", line, err)
	}
	st := Step{Line: line, Args: map[string]string{}, Kind: "run"}
	for i, w := range words {
		k, v, _ := strings.Cut(w, "=")
		if !knownArgs[k] {
			return Step{}, fmt.Errorf("line %d: unknown doctest key %q", line, k)
		}
		st.Args[k] = v
		if i == 0 && (blockKinds[k] || k == "gateway" || k == "stop" || k == "restart" || k == "await" || k == "rerun") {
			st.Kind = k
		}
	}
	for _, k := range []string{"retry", "timeout"} {
		if v, ok := st.Args[k]; ok {
			if _, err := time.ParseDuration(v); err != nil {
				return Step{}, fmt.Errorf("line %d: %s: %w", line, k, err)
			}
		}
	}
	if re, ok := st.Args["expect"]; ok {
		if _, err := regexp.Compile(re); err != nil {
			return Step{}, fmt.Errorf("line %d: expect: %w", line, err)
		}
	}
	return st, nil
}

// splitWords splits a marker into words at spaces, keeping double-quoted
// values (key="a b") together, with \" and \\ escapes inside quotes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			quoted, inWord = !quoted, true
		case !quoted && (c == ' ' || c == '\t'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
