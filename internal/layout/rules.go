package layout

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Module is the module path every rule is written relative to.
const Module = "mediagate.dev/mediagate"

// Package is what the rules need to know of one package: its path relative
// to Module ("gateway/egress"), the module packages it imports (relative
// too), and whether it has cgo files.
type Package struct {
	Path    string
	Imports []string
	Cgo     bool
}

// Rule forbids packages matching From to import packages matching To,
// except the package itself and those matching Except. Patterns are
// anchored regular expressions over relative paths.
type Rule struct {
	From, To, Except string
	Why              string
}

// Rules are DESIGN.md's layering rules. Each names the sentence of the
// design it keeps.
var Rules = []Rule{
	{From: `.*`, To: `cmd(/.*)?`, Why: "nothing imports a command"},
	{From: `gateway/.+`, To: `gateway`, Why: "a sub-package never imports the composition root"},
	{From: `(transcoder|turn|internal)(/.*)?`, To: `gateway(/.*)?`, Why: "transcoder, turn and internal sit below gateway"},
	{From: `(transcoder|internal)(/.*)?`, To: `turn(/.*)?`, Why: "turn is a sibling of the transcoder, above internal"},
	{From: `(turn|internal)(/.*)?`, To: `transcoder(/.*)?`, Why: "turn and internal sit below or beside the transcoder"},
	{From: `gateway/stream`, To: `gateway/(ingest|egress|output|whep|whip|signal|rendition|senders)(/.*)?`,
		Why: "the hub knows no source or sink"},
	{From: `gateway/ingest(/.*)?`, To: `gateway/egress(/.*)?`, Why: "ingest and egress never import each other"},
	{From: `gateway/egress(/.*)?`, To: `gateway/ingest(/.*)?`, Why: "ingest and egress never import each other"},
	{From: `gateway/whip(/.*)?`, To: `gateway/(whep|egress)(/.*)?`, Why: "WHIP builds on the signalling engine, not on WHEP or the viewers"},
	{From: `gateway/whep(/.*)?`, To: `gateway/whip(/.*)?`, Why: "WHEP and WHIP are peers on the signalling engine"},
}

// cgoHome is where the only packages that import "C" may live: the
// transcoder's leaf packages, one per C library.
var cgoHome = regexp.MustCompile(`^transcoder/[^/]+$`)

// Check returns every violation of rules among pkgs, one line each,
// sorted.
func Check(pkgs []Package, rules []Rule) []string {
	var bad []string
	for _, p := range pkgs {
		if p.Cgo && !cgoHome.MatchString(p.Path) {
			bad = append(bad, fmt.Sprintf("%s imports \"C\": only transcoder's leaf packages may", p.Path))
		}
		for _, imp := range p.Imports {
			for _, r := range rules {
				if r.forbids(p.Path, imp) {
					bad = append(bad, fmt.Sprintf("%s imports %s: %s", p.Path, imp, r.Why))
				}
			}
		}
	}
	sort.Strings(bad)
	return bad
}

func (r Rule) forbids(from, to string) bool {
	if from == to || !match(r.From, from) || !match(r.To, to) {
		return false
	}
	return r.Except == "" || !match(r.Except, to)
}

func match(pattern, path string) bool {
	return regexp.MustCompile(`^(?:` + pattern + `)$`).MatchString(path)
}

// Relative strips Module from an import path, and reports whether the path
// was in the module at all.
func Relative(importPath string) (string, bool) {
	if importPath == Module {
		return "", true
	}
	rel, ok := strings.CutPrefix(importPath, Module+"/")
	return rel, ok
}
