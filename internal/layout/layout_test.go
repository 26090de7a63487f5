package layout

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestModuleKeepsTheLayers holds every package of the module, as go list
// sees it with cgo on, to Rules.
func TestModuleKeepsTheLayers(t *testing.T) {
	pkgs := listModule(t)
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages; expected the whole module", len(pkgs))
	}
	for _, bad := range Check(pkgs, Rules) {
		t.Error(bad)
	}
}

// TestBuildsWithoutCgo: with CGO_ENABLED=0 the whole module still builds
// (transcoding then reports itself unavailable).
func TestBuildsWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module once more")
	}
	cmd := exec.Command("go", "build", "-o", os.DevNull, "./...")
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build ./...: %v\n%s", err, out)
	}
}

// TestCheckCatchesViolations feeds Check one import graph per rule, so a
// rule that silently stopped matching fails here.
func TestCheckCatchesViolations(t *testing.T) {
	cases := []struct {
		from, to string
		cgo      bool
		want     string // "" = allowed
	}{
		{"gateway", "gateway/egress", false, ""},
		{"gateway/egress", "gateway/stream", false, ""},
		{"gateway/rendition", "transcoder", false, ""},
		{"transcoder", "internal/codec", false, ""},
		{"transcoder/avdec", "", true, ""},
		{"gateway/egress", "gateway", false, "composition root"},
		{"transcoder", "gateway/stream", false, "below gateway"},
		{"turn", "gateway/config", false, "below gateway"},
		{"internal/codec", "gateway/codec", false, "below gateway"},
		{"internal/codec", "transcoder", false, "beside the transcoder"},
		{"transcoder", "turn", false, "sibling"},
		{"gateway/stream", "gateway/ingest", false, "no source or sink"},
		{"gateway/stream", "gateway/egress", false, "no source or sink"},
		{"gateway/ingest", "gateway/egress", false, "never import each other"},
		{"gateway/egress", "gateway/ingest", false, "never import each other"},
		{"gateway/whip", "gateway/whep", false, "signalling engine"},
		{"gateway/whep", "gateway/whip", false, "peers"},
		{"gateway/whip", "gateway/egress", false, "signalling engine"},
		{"gateway", "cmd/mediagate", false, "command"},
		{"gateway/egress", "", true, `imports "C"`},
		{"transcoder", "", true, `imports "C"`},
	}
	for _, c := range cases {
		p := Package{Path: c.from, Cgo: c.cgo}
		if c.to != "" {
			p.Imports = []string{c.to}
		}
		got := Check([]Package{p}, Rules)
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s -> %s: flagged %q, want allowed", c.from, c.to, got)
		case c.want != "" && !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, c.want) }):
			t.Errorf("%s -> %s (cgo %v): got %q, want a line with %q", c.from, c.to, c.cgo, got, c.want)
		}
	}
}

// listModule runs go list over the module and keeps each package's module
// imports, relative to Module.
func listModule(t *testing.T) []Package {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,CgoFiles,Error", "./...")
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []Package
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
			CgoFiles   []string
			Error      *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		rel, _ := Relative(p.ImportPath)
		pkg := Package{Path: rel, Cgo: len(p.CgoFiles) > 0}
		for _, imp := range p.Imports {
			if r, ok := Relative(imp); ok {
				pkg.Imports = append(pkg.Imports, r)
			}
		}
		pkgs = append(pkgs, pkg)
	}
}

// moduleRoot is two folders up from this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(wd, "/internal/layout")
}
